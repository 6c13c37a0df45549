package io.bridgekeeper.simulation;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeSelector;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.PoolSnapshot;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InMemoryCloud;
import io.bridgekeeper.cloud.InstanceStatus;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Runs one policy over a conference trace with the real parts — {@link BridgePool},
 * {@link BridgeSelector}, {@link Autoscaler}, {@link InMemoryCloud} — on a simulated clock, and
 * measures it: VM-hours, overload-minutes (any bridge above the stress threshold), participants
 * that had to move (their bridge deleted under them at the drain deadline, or no bridge at all
 * when they arrived), scale actions, and the oracle's VM-hours (just enough bridges every step, no
 * boot delay). Deterministic for a trace, options and seed. Not thread-safe: one run per instance.
 */
public final class Simulation {
  /**
   * @param step simulated time per step
   * @param reconcileEvery how often the autoscaler runs
   * @param stressPerParticipant a bridge's stress per participant it carries (Jitsi prod: ~0.005)
   * @param stressThreshold overload threshold (jicofo: 0.8)
   * @param bootDelay time from launch to a bridge taking conferences
   * @param initialBridges bridges running at the start
   * @param launchProtection new bridges are not scaled in for this long
   * @param drainDeadline a drained bridge is deleted after this long even if occupied
   * @param seed the in-memory cloud's seed
   * @param warmUp simulated before {@code start} and not measured, so a run is judged on a fleet
   *     already sized for its load rather than on the cold start every policy shares
   */
  public record Options(Duration step, Duration reconcileEvery, double stressPerParticipant, double stressThreshold,
      Duration bootDelay, int initialBridges, Duration launchProtection, Duration drainDeadline, long seed,
      Duration warmUp) {
    public Options {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(reconcileEvery, "reconcileEvery");
      Objects.requireNonNull(warmUp, "warmUp");
      if (step.isNegative() || step.isZero() || reconcileEvery.compareTo(step) < 0 || !(stressPerParticipant > 0)
          || !(stressThreshold > 0) || initialBridges < 0 || warmUp.isNegative()) {
        throw new IllegalArgumentException("invalid simulation options: " + this);
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(60), 0.005, 0.8, Duration.ofSeconds(120), 2,
          Duration.ofMinutes(15), Duration.ofHours(1), 1, Duration.ofHours(2));
    }

    /** The same options with another warm-up. */
    public Options withWarmUp(Duration warmUp) {
      return new Options(step, reconcileEvery, stressPerParticipant, stressThreshold, bootDelay, initialBridges,
          launchProtection, drainDeadline, seed, warmUp);
    }
  }

  /** What a run measured. */
  public record Result(String policy, double vmHours, double oracleVmHours, double overloadMinutes,
      long participantsMoved, long participantsUnplaced, int scaleActions, int peakBridges) {}

  /** One sample per reconcile, for charts. */
  public record Sample(Instant at, int participants, int bridgesRunning, int bridgesNeeded, double maxStress) {}

  private final Options o;
  private final BridgeSelector selector;
  private final List<Sample> samples = new ArrayList<>();

  /**
   * Places conferences the way jicofo's default selector does (single bridge, least corrected
   * stress), through an equivalent path that takes one pool snapshot per step instead of one per
   * conference — what makes a week of 1,000 bridges run in seconds.
   */
  public Simulation(Options options) {
    this.o = Objects.requireNonNull(options, "options");
    this.selector = null;
  }

  /** Places every conference through {@code selector} itself: one pool snapshot per conference. */
  public Simulation(Options options, BridgeSelector selector) {
    this.o = Objects.requireNonNull(options, "options");
    this.selector = Objects.requireNonNull(selector, "selector");
  }

  /** The samples of the last run. */
  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** A conference on its bridge; {@code on} is null once it ended or lost its bridge for good. */
  private static final class Placed {
    final Conference conference;
    /** The end in epoch nanoseconds: the ending queue compares these a million times a week. */
    final long endNanos;
    Load on;

    Placed(Conference conference) {
      this.conference = conference;
      this.endNanos = epochNanos(conference.end());
    }
  }

  private static long epochNanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  /** A running bridge: its conferences, and what it last told the pool. */
  private static final class Load {
    final String id;
    final List<Placed> conferences = new ArrayList<>();
    int participants;
    boolean drained;
    long seenInStep;
    int reportedParticipants = -1;
    boolean reportedDrained;
    Instant reportedAt = Instant.MIN;

    Load(String id) {
      this.id = id;
    }
  }

  /**
   * Bridges re-announce unchanged stats this often: well inside the pool's presence timeout, and at
   * least once per reconcile period, so every policy sees what it would with a presence per step.
   */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(20);

  /** Runs {@code policy} (named {@code name}) on {@code scenario}, warm-up included. */
  public Result run(String name, ScalingPolicy policy, Scenario scenario) {
    return run(name, policy, scenario.conferences(o.warmUp()), scenario.start(), scenario.end());
  }

  /**
   * Runs {@code policy} (named {@code name}) over {@code trace} from {@code start} to {@code end},
   * after the warm-up: the trace should hold the conferences of the warm-up too.
   */
  public Result run(String name, ScalingPolicy policy, List<Conference> trace, Instant start, Instant end) {
    samples.clear();
    SimulatedClock clock = new SimulatedClock(start);
    BridgeHealthConfig health = BridgeHealthConfig.defaults();
    BridgePool pool = BridgePool.create(health, clock);
    InMemoryCloud cloud = InMemoryCloud.builder(clock).seed(o.seed()).bootDelay(o.bootDelay())
        .deleteDelay(Duration.ofSeconds(30)).quota(100_000).build();
    Map<String, Load> loads = new HashMap<>();
    // The same loads in a list: iterated twice a step, which a HashMap does slowly.
    List<Load> loadList = new ArrayList<>();
    int[] actions = new int[1];
    Instant measured = start;
    // Scale actions counted at the cloud: the autoscaler's audit log is bounded.
    CloudBackend counted = new CloudBackend() {
      @Override
      public List<CloudInstance> listInstances() {
        return cloud.listInstances();
      }

      @Override
      public int targetSize() {
        return cloud.targetSize();
      }

      @Override
      public void grow(int count) {
        cloud.grow(count);
        count();
      }

      @Override
      public void createInstances(List<String> names) {
        cloud.createInstances(names);
        count();
      }

      @Override
      public DeleteResult deleteInstances(List<String> names) {
        DeleteResult r = cloud.deleteInstances(names);
        count();
        return r;
      }

      private void count() {
        if (!clock.instant().isBefore(measured)) {
          actions[0]++;
        }
      }
    };
    Autoscaler autoscaler = Autoscaler.builder().pool(pool).cloud(counted).policy(policy).clock(clock)
        .drainer(id -> {
          Load l = loads.get(id);
          if (l != null) {
            l.drained = true;
          }
          return l != null;
        })
        .launchProtection(o.launchProtection()).drainDeadline(o.drainDeadline()).build();
    Instant measureFrom = measured;
    start = start.minus(o.warmUp());
    if (o.initialBridges() > 0) {
      // The initial bridges were launched long enough ago to be running (and past protection).
      clock.set(start.minus(o.bootDelay()).minus(o.launchProtection()));
      cloud.grow(o.initialBridges());
    }
    PriorityQueue<Placed> ending = new PriorityQueue<>((a, b) -> Long.compare(a.endNanos, b.endNanos));
    List<Placed> homeless = new ArrayList<>();
    List<Placed> arrivals = new ArrayList<>();
    int nextArrival = 0;
    long step = 0;
    List<CloudInstance> lastListed = null;
    long listedInStep = 0;
    long capacity = 0;
    int running = 0;
    double vmSeconds = 0;
    double oracleSeconds = 0;
    double overloadSeconds = 0;
    long moved = 0;
    long unplaced = 0;
    int peak = 0;
    Instant nextReconcile = start;
    clock.set(start);
    while (clock.instant().isBefore(end)) {
      Instant now = clock.instant();
      boolean measuring = !now.isBefore(measureFrom);
      step++;
      // Conferences end.
      long nowNanos = epochNanos(now);
      while (!ending.isEmpty() && ending.peek().endNanos <= nowNanos) {
        Placed p = ending.poll();
        if (p.on != null) {
          p.on.conferences.remove(p);
          p.on.participants -= p.conference.participants();
          p.on = null;
        }
      }
      // The cloud's view: running bridges, and bridges that vanished with their conferences.
      List<CloudInstance> instances = cloud.listInstances();
      if (instances != lastListed) {
        // The in-memory cloud hands back the same list until something changed.
        lastListed = instances;
        capacity = 0;
        running = 0;
        for (CloudInstance i : instances) {
          if (i.status().countsAsCapacity() || i.status() == InstanceStatus.STOPPING) {
            capacity++;
          }
          if (i.status() == InstanceStatus.RUNNING) {
            running++;
            Load l = loads.get(i.name());
            if (l == null) {
              l = new Load(i.name());
              loads.put(l.id, l);
              loadList.add(l);
            }
            l.seenInStep = step;
          }
        }
        listedInStep = step;
      }
      if (loads.size() != running) {
        for (java.util.Iterator<Load> it = loadList.iterator(); it.hasNext();) {
          Load l = it.next();
          if (l.seenInStep != listedInStep) {
            it.remove();
            loads.remove(l.id);
            // Its videobridge stopped, so it left the brewery: jicofo stops choosing it at once.
            pool.left("sim", l.id);
            moved += measuring ? l.participants : 0;
            homeless.addAll(l.conferences);
          }
        }
      }
      // Bridges report: a presence whenever their load or drain flag changed, else a keep-alive.
      Instant keepAliveBefore = now.minus(KEEP_ALIVE);
      for (Load l : loadList) {
        if (l.participants != l.reportedParticipants || l.drained != l.reportedDrained
            || !l.reportedAt.isAfter(keepAliveBefore)) {
          pool.presence("sim", l.id, Optional.of(stats(l.participants, l.drained)));
          l.reportedParticipants = l.participants;
          l.reportedDrained = l.drained;
          l.reportedAt = now;
        }
      }
      // Conferences that lost their bridge, then new ones, go where jicofo would put them.
      while (nextArrival < trace.size() && !trace.get(nextArrival).start().isAfter(now)) {
        Conference c = trace.get(nextArrival++);
        if (c.end().isAfter(now)) {
          arrivals.add(new Placed(c));
        }
      }
      if (!homeless.isEmpty() || !arrivals.isEmpty()) {
        Placement placement = selector == null ? new LeastLoaded(pool.snapshot(), health, homeless.size() + arrivals.size()) : new Selected(pool, selector);
        for (Placed p : homeless) {
          p.on = null;
          if (!place(p, placement, pool, loads)) {
            unplaced += measuring ? p.conference.participants() : 0;
          }
        }
        for (Placed p : arrivals) {
          if (place(p, placement, pool, loads)) {
            ending.add(p);
          } else {
            unplaced += measuring ? p.conference.participants() : 0;
          }
        }
        homeless.clear();
        arrivals.clear();
      }
      if (!now.isBefore(nextReconcile)) {
        pool.refresh();
        autoscaler.reconcileOnce();
        nextReconcile = now.plus(o.reconcileEvery());
      }
      if (!measuring) {
        clock.set(now.plus(o.step()));
        continue;
      }
      // Measure this step.
      int total = 0;
      int most = 0;
      for (Load l : loadList) {
        total += l.participants;
        most = Math.max(most, l.participants);
      }
      double maxStress = most * o.stressPerParticipant();
      int needed = (int) Math.ceil(total * o.stressPerParticipant() / o.stressThreshold() - 1e-9);
      double stepSeconds = o.step().toSeconds();
      vmSeconds += capacity * stepSeconds;
      oracleSeconds += Math.max(needed, 0) * stepSeconds;
      if (maxStress > o.stressThreshold()) {
        overloadSeconds += stepSeconds;
      }
      peak = Math.max(peak, loads.size());
      if (samples.isEmpty() || !now.isBefore(samples.get(samples.size() - 1).at().plus(o.reconcileEvery()))) {
        samples.add(new Sample(now, total, loads.size(), needed, maxStress));
      }
      clock.set(now.plus(o.step()));
    }
    return new Result(name, vmSeconds / 3600, oracleSeconds / 3600, overloadSeconds / 60, moved, unplaced, actions[0],
        peak);
  }

  /** Stats by participants, [0] serving and [1] draining: immutable, so shared. */
  private BridgeStats[][] statsByLoad = new BridgeStats[2][256];

  private BridgeStats stats(int participants, boolean drained) {
    int d = drained ? 1 : 0;
    if (participants >= statsByLoad[d].length) {
      statsByLoad[d] = java.util.Arrays.copyOf(statsByLoad[d], Math.max(participants + 1, 2 * statsByLoad[d].length));
    }
    BridgeStats s = statsByLoad[d][participants];
    if (s == null) {
      s = newStats(participants, drained);
      statsByLoad[d][participants] = s;
    }
    return s;
  }

  private BridgeStats newStats(int participants, boolean drained) {
    return new BridgeStats(OptionalDouble.of(participants * o.stressPerParticipant()),
        OptionalDouble.of(o.stressPerParticipant()), false, false, Optional.of(drained), "", "", "", "",
        Optional.empty(), OptionalInt.empty(), OptionalInt.of(participants), Map.of());
  }

  private static boolean place(Placed p, Placement placement, BridgePool pool, Map<String, Load> loads) {
    Optional<String> bridge = placement.place(p.conference.participants());
    Load l = bridge.map(loads::get).orElse(null);
    if (l == null) {
      return false;
    }
    pool.participantsAdded(l.id, p.conference.participants());
    l.conferences.add(p);
    l.participants += p.conference.participants();
    p.on = l;
    return true;
  }

  /** Where the next new conference goes. */
  private interface Placement {
    Optional<String> place(int participants);
  }

  /** Through a {@link BridgeSelector}, with a fresh snapshot per conference. */
  private record Selected(BridgePool pool, BridgeSelector selector) implements Placement {
    @Override
    public Optional<String> place(int participants) {
      return selector.select(pool.snapshot(), Map.of(), Optional.empty(), Optional.empty()).map(Bridge::id);
    }
  }

  /**
   * jicofo's default selection for a new conference with no region or version
   * ({@link BridgeSelector} with the single-bridge strategy): among operational bridges not shutting
   * down — preferring those not draining, then those not in graceful shutdown — the least corrected
   * stress, ties by id. Within one instant only the chosen bridge's correction changes (by the
   * participants added, as {@code BridgePool.participantsAdded} does), so one snapshot and a heap
   * give the selector's answers; {@code SimulationTest} checks that both paths agree.
   */
  private static final class LeastLoaded implements Placement {
    private static final class Candidate {
      final String id;
      final OptionalDouble stress;
      final double perParticipant;
      int recentlyAdded;
      double corrected;

      Candidate(Bridge b, BridgeHealthConfig health) {
        id = b.id();
        stress = b.stats().map(BridgeStats::stressLevel).orElse(OptionalDouble.empty());
        OptionalDouble reported = b.stats().map(BridgeStats::averageParticipantStress).orElse(OptionalDouble.empty());
        perParticipant = reported.orElse(health.averageParticipantStress());
        recentlyAdded = b.recentlyAddedParticipants();
        corrected = b.correctedStress().orElse(Double.MAX_VALUE);
      }

      void add(int participants) {
        recentlyAdded += participants;
        if (stress.isPresent()) {
          // The same expression as BridgeRecord.correctedStress, so the order matches bit for bit.
          corrected = stress.getAsDouble() + recentlyAdded * perParticipant;
        }
      }
    }

    private final PriorityQueue<Candidate> heap = new PriorityQueue<>(
        java.util.Comparator.comparingDouble((Candidate c) -> c.corrected).thenComparing(c -> c.id));

    LeastLoaded(PoolSnapshot snapshot, BridgeHealthConfig health, int placements) {
      // The selector's hard filters, then its two soft preferences, each kept only if it leaves some.
      boolean anyNotDraining = false;
      boolean anyNotGraceful = false;
      for (Bridge b : snapshot.bridges()) {
        if (b.operational() && !b.shuttingDown()) {
          anyNotDraining |= !b.draining();
        }
      }
      for (Bridge b : snapshot.bridges()) {
        if (b.operational() && !b.shuttingDown() && !(anyNotDraining && b.draining())) {
          anyNotGraceful |= !b.gracefulShutdown();
        }
      }
      List<Bridge> usable = new ArrayList<>(snapshot.bridges().size());
      for (Bridge b : snapshot.bridges()) {
        if (b.operational() && !b.shuttingDown() && !(anyNotDraining && b.draining())
            && !(anyNotGraceful && b.gracefulShutdown())) {
          usable.add(b);
        }
      }
      // Only the `placements` least loaded can be chosen this instant: a bridge outside them would
      // need all of them to have grown past it, and each placement grows one.
      java.util.Comparator<Bridge> order = java.util.Comparator
          .comparingDouble((Bridge b) -> b.correctedStress().orElse(Double.MAX_VALUE)).thenComparing(Bridge::id);
      PriorityQueue<Bridge> least = new PriorityQueue<>(order.reversed());
      for (Bridge b : usable) {
        if (least.size() < placements) {
          least.add(b);
        } else if (order.compare(b, least.peek()) < 0) {
          least.poll();
          least.add(b);
        }
      }
      for (Bridge b : least) {
        heap.add(new Candidate(b, health));
      }
    }

    @Override
    public Optional<String> place(int participants) {
      Candidate c = heap.poll();
      if (c == null) {
        return Optional.empty();
      }
      c.add(participants);
      heap.add(c);
      return Optional.of(c.id);
    }
  }
}
