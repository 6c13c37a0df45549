package io.bridgekeeper.simulation;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeSelector;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.PoolSnapshot;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.ForwardingCloudBackend;
import io.bridgekeeper.cloud.InMemoryCloud;
import io.bridgekeeper.cloud.InstanceStatus;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
   * @param maxBridgeParticipants 0: a conference stays on one bridge (jicofo's default, octo off);
   *     else octo: jicofo's region-based selection with multi-bridge conferences, where a
   *     participant joins another bridge once the conference's bridges are overloaded or carry
   *     this many of its participants (jicofo's {@code max-bridge-participants})
   */
  public record Options(Duration step, Duration reconcileEvery, double stressPerParticipant, double stressThreshold,
      Duration bootDelay, int initialBridges, Duration launchProtection, Duration drainDeadline, long seed,
      Duration warmUp, int maxBridgeParticipants) {
    public Options {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(reconcileEvery, "reconcileEvery");
      Objects.requireNonNull(warmUp, "warmUp");
      if (step.isNegative() || step.isZero() || reconcileEvery.compareTo(step) < 0 || !(stressPerParticipant > 0)
          || !(stressThreshold > 0) || initialBridges < 0 || warmUp.isNegative() || maxBridgeParticipants < 0) {
        throw new IllegalArgumentException("invalid simulation options: " + this);
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(60), 0.005, 0.8, Duration.ofSeconds(120), 2,
          Duration.ofMinutes(15), Duration.ofHours(1), 1, Duration.ofHours(2), 0);
    }

    /** The same options with another warm-up. */
    public Options withWarmUp(Duration warmUp) {
      return new Options(step, reconcileEvery, stressPerParticipant, stressThreshold, bootDelay, initialBridges,
          launchProtection, drainDeadline, seed, warmUp, maxBridgeParticipants);
    }

    /** The same options with another drain deadline. */
    public Options withDrainDeadline(Duration drainDeadline) {
      return new Options(step, reconcileEvery, stressPerParticipant, stressThreshold, bootDelay, initialBridges,
          launchProtection, drainDeadline, seed, warmUp, maxBridgeParticipants);
    }

    /** The same options with octo: multi-bridge conferences, at most {@code max} participants of one per bridge. */
    public Options withMultiBridge(int max) {
      return new Options(step, reconcileEvery, stressPerParticipant, stressThreshold, bootDelay, initialBridges,
          launchProtection, drainDeadline, seed, warmUp, max);
    }
  }

  /** What a run measured. */
  public record Result(String policy, double vmHours, double oracleVmHours, double overloadMinutes,
      long participantsMoved, long participantsUnplaced, int scaleActions, int peakBridges) {}

  /** One sample per reconcile, for charts. */
  public record Sample(Instant at, int participants, int bridgesRunning, int bridgesNeeded, double maxStress) {}

  private final Options o;
  private final BridgeSelector selector;
  private final java.util.function.UnaryOperator<Autoscaler.Builder> tuning;
  private final List<Sample> samples = new ArrayList<>();

  /**
   * Places conferences the way jicofo's default selector does (single bridge, least corrected
   * stress), through an equivalent path that takes one pool snapshot per step instead of one per
   * conference — what makes a week of 1,000 bridges run in seconds.
   */
  public Simulation(Options options) {
    this(options, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #Simulation(Options)}, with autoscaler options of its own (e.g.
   * {@code b -> b.drainOnlyLightBridges(0.5, Duration.ofHours(1))}); the simulation wires the pool,
   * cloud, policy, clock, drainer, launch protection and drain deadline after {@code tuning}, so
   * those come from {@code options}.
   */
  public Simulation(Options options, java.util.function.UnaryOperator<Autoscaler.Builder> tuning) {
    this.o = Objects.requireNonNull(options, "options");
    this.selector = null;
    this.tuning = Objects.requireNonNull(tuning, "tuning");
  }

  /** Places every conference through {@code selector} itself: one pool snapshot per conference. */
  public Simulation(Options options, BridgeSelector selector) {
    this.o = Objects.requireNonNull(options, "options");
    this.selector = Objects.requireNonNull(selector, "selector");
    this.tuning = java.util.function.UnaryOperator.identity();
  }

  /** The samples of the last run. */
  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  /**
   * A conference's participants on one bridge (the whole conference unless it spans bridges);
   * {@code on} is null before it is placed and once it ended or lost its bridge.
   */
  private static final class Placed {
    final Conference conference;
    final int count;
    /** The end in epoch nanoseconds: the ending queue compares these a million times a week. */
    final long endNanos;
    Load on;

    Placed(Conference conference, int count) {
      this.conference = conference;
      this.count = count;
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
    CloudBackend counted = new ForwardingCloudBackend(cloud) {
      @Override
      public void grow(int count) {
        super.grow(count);
        count();
      }

      @Override
      public void createInstances(List<String> names) {
        super.createInstances(names);
        count();
      }

      @Override
      public DeleteResult deleteInstances(List<String> names) {
        DeleteResult r = super.deleteInstances(names);
        count();
        return r;
      }

      private void count() {
        if (!clock.instant().isBefore(measured)) {
          actions[0]++;
        }
      }
    };
    Autoscaler autoscaler = tuning.apply(Autoscaler.builder()).pool(pool).cloud(counted).policy(policy)
        // The bridge's drain flag (a REST call to it), reported with its next presence.
        .clock(clock).drainer(io.bridgekeeper.scaling.BridgeDrainer.ofFlag((id, drained) -> {
          Load l = loads.get(id);
          if (l != null) {
            l.drained = drained;
          }
          return l != null;
        }))
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
          p.on.participants -= p.count;
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
          arrivals.add(new Placed(c, c.participants()));
        }
      }
      if (!homeless.isEmpty() || !arrivals.isEmpty()) {
        Placement placement;
        if (selector != null) {
          placement = new Selected(pool, selector, o.maxBridgeParticipants() > 0);
        } else {
          int participants = 0;
          for (Placed p : homeless) {
            participants += p.count;
          }
          for (Placed p : arrivals) {
            participants += p.count;
          }
          placement = o.maxBridgeParticipants() > 0
              ? new LeastLoadedMulti(pool, health, o.maxBridgeParticipants(), participants)
              : new LeastLoaded(pool, health, homeless.size() + arrivals.size());
        }
        // A bridge's participants lost with it rejoin as a group of their own (jicofo re-invites them).
        for (Placed p : homeless) {
          p.on = null;
          if (!place(p.conference, p.count, placement, loads, ending)) {
            unplaced += measuring ? p.count : 0;
          }
        }
        for (Placed p : arrivals) {
          if (!place(p.conference, p.count, placement, loads, ending)) {
            unplaced += measuring ? p.count : 0;
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
        // A relay id lets the selector spread a conference over bridges (octo) when that is on.
        OptionalDouble.of(o.stressPerParticipant()), false, false, Optional.of(drained), "", "", "",
        o.maxBridgeParticipants() > 0 ? "sim-relay" : "",
        Optional.empty(), OptionalInt.empty(), OptionalInt.of(participants), Map.of());
  }

  /** Places {@code count} participants of {@code c}; whether any bridge took them. */
  private static boolean place(Conference c, int count, Placement placement, Map<String, Load> loads,
      PriorityQueue<Placed> ending) {
    Map<String, Integer> parts = placement.place(count);
    if (parts.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, Integer> part : parts.entrySet()) {
      Load l = loads.get(part.getKey());
      if (l == null) {
        continue; // not running (cannot happen: a bridge leaves the pool as its VM stops)
      }
      Placed p = new Placed(c, part.getValue());
      l.conferences.add(p);
      l.participants += p.count;
      p.on = l;
      ending.add(p);
    }
    return true;
  }

  /**
   * Where the participants of a new conference go: bridge → how many, in the order chosen (empty:
   * no bridge). An implementation has told the pool ({@code participantsAdded}) before it returns.
   */
  private interface Placement {
    Map<String, Integer> place(int participants);
  }

  /**
   * Through a {@link BridgeSelector}, with a fresh snapshot per conference — or, with multi-bridge
   * conferences, per participant, as jicofo invites them one by one.
   */
  private record Selected(BridgePool pool, BridgeSelector selector, boolean perParticipant) implements Placement {
    @Override
    public Map<String, Integer> place(int participants) {
      Map<String, Integer> conference = new LinkedHashMap<>();
      for (int i = 0; i < (perParticipant ? participants : 1); i++) {
        Optional<Bridge> b = selector.select(pool.snapshot(), conference, Optional.empty(), Optional.empty());
        if (b.isEmpty()) {
          return conference;
        }
        int n = perParticipant ? 1 : participants;
        pool.participantsAdded(b.get().id(), n);
        conference.merge(b.get().id(), n, Integer::sum);
      }
      return conference;
    }
  }

  /** A bridge as the fast placements see it within one instant. */
  private static final class Candidate {
    final String id;
    final OptionalDouble stress;
    final double perParticipant;
    /** Its state can become OVERLOADED by load alone (it is HEALTHY or OVERLOADED now). */
    final boolean loadDecidesOverload;
    int recentlyAdded;
    double corrected;

    Candidate(Bridge b, BridgeHealthConfig health) {
      id = b.id();
      stress = b.stats().map(BridgeStats::stressLevel).orElse(OptionalDouble.empty());
      OptionalDouble reported = b.stats().map(BridgeStats::averageParticipantStress).orElse(OptionalDouble.empty());
      perParticipant = reported.orElse(health.averageParticipantStress());
      loadDecidesOverload = b.state() == io.bridgekeeper.bridges.BridgeState.HEALTHY
          || b.state() == io.bridgekeeper.bridges.BridgeState.OVERLOADED;
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

  /** The selector's candidate order: least corrected stress (unknown last), then id. */
  private static final java.util.Comparator<Candidate> BY_LOAD = (a, b) -> {
    // Written out: composed comparators cost a tenth of a simulated week at 1,000 bridges.
    int c = Double.compare(a.corrected, b.corrected);
    return c != 0 ? c : a.id.compareTo(b.id);
  };

  /**
   * The candidates {@link BridgeSelector} would order for a new conference with no region or
   * version: operational bridges not shutting down, preferring those not draining, then those not
   * in graceful shutdown — and of those only the {@code placements} least loaded: a bridge outside
   * them could be chosen only once all of them had grown past it, and each placement grows one.
   */
  private static List<Candidate> leastLoaded(PoolSnapshot snapshot, BridgeHealthConfig health, int placements) {
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
    if (placements <= 0) {
      return List.of();
    }
    // The selector's order (least corrected stress, unknown last, then id), the worst kept on top;
    // each bridge's key is read once, and most bridges lose to the top on the stress alone.
    record Keyed(Bridge bridge, double stress) {}
    PriorityQueue<Keyed> least = new PriorityQueue<>((a, b) -> {
      int c = Double.compare(b.stress, a.stress);
      return c != 0 ? c : b.bridge.id().compareTo(a.bridge.id());
    });
    for (Bridge b : snapshot.bridges()) {
      if (!b.operational() || b.shuttingDown() || (anyNotDraining && b.draining())
          || (anyNotGraceful && b.gracefulShutdown())) {
        continue;
      }
      double stress = b.correctedStress().orElse(Double.MAX_VALUE);
      if (least.size() < placements) {
        least.add(new Keyed(b, stress));
        continue;
      }
      Keyed worst = least.peek();
      int c = Double.compare(stress, worst.stress);
      if (c < 0 || (c == 0 && b.id().compareTo(worst.bridge.id()) < 0)) {
        least.poll();
        least.add(new Keyed(b, stress));
      }
    }
    List<Candidate> out = new ArrayList<>(least.size());
    for (Keyed k : least) {
      out.add(new Candidate(k.bridge, health));
    }
    return out;
  }

  /**
   * jicofo's default selection for a new conference with no region or version
   * ({@link BridgeSelector} with the single-bridge strategy): the least loaded candidate. Within
   * one instant only the chosen bridge's correction changes (by the participants added, as
   * {@code BridgePool.participantsAdded} does), so one snapshot and a heap give the selector's
   * answers; {@code SimulationTest} checks that both paths agree.
   */
  private static final class LeastLoaded implements Placement {
    private final BridgePool pool;
    private final PriorityQueue<Candidate> heap = new PriorityQueue<>(BY_LOAD);

    LeastLoaded(BridgePool pool, BridgeHealthConfig health, int conferences) {
      this.pool = pool;
      heap.addAll(leastLoaded(pool.snapshot(), health, conferences));
    }

    @Override
    public Map<String, Integer> place(int participants) {
      Candidate c = heap.poll();
      if (c == null) {
        return Map.of();
      }
      c.add(participants);
      heap.add(c);
      pool.participantsAdded(c.id, participants);
      return Map.of(c.id, participants);
    }
  }

  /**
   * Octo: jicofo's region-based selection, with no regions, for multi-bridge conferences,
   * participant by participant. A participant joins the least loaded of the conference's bridges
   * that is not overloaded for it (OVERLOADED, or already carrying {@code max} of its
   * participants), else the least loaded bridge of all ({@code BuiltinSelectionStrategies
   * .regionBased}: with no region, its chain reduces to these two steps). Equivalent to the
   * selector asked per participant; {@code SimulationTest} checks it.
   */
  private static final class LeastLoadedMulti implements Placement {
    private final BridgePool pool;
    private final double threshold;
    private final int max;
    private final java.util.TreeSet<Candidate> byLoad = new java.util.TreeSet<>(BY_LOAD);

    LeastLoadedMulti(BridgePool pool, BridgeHealthConfig health, int max, int participants) {
      this.pool = pool;
      this.threshold = health.stressThreshold();
      this.max = max;
      byLoad.addAll(leastLoaded(pool.snapshot(), health, participants));
    }

    @Override
    public Map<String, Integer> place(int participants) {
      Map<Candidate, Integer> conference = new LinkedHashMap<>();
      for (int i = 0; i < participants; i++) {
        Candidate chosen = null;
        for (Map.Entry<Candidate, Integer> e : conference.entrySet()) {
          Candidate c = e.getKey();
          boolean overloaded = (c.loadDecidesOverload && c.corrected >= threshold) || e.getValue() >= max;
          if (!overloaded && (chosen == null || BY_LOAD.compare(c, chosen) < 0)) {
            chosen = c;
          }
        }
        if (chosen == null) {
          if (byLoad.isEmpty()) {
            break;
          }
          chosen = byLoad.first();
        }
        byLoad.remove(chosen);
        chosen.add(1);
        byLoad.add(chosen);
        conference.merge(chosen, 1, Integer::sum);
      }
      Map<String, Integer> parts = new LinkedHashMap<>();
      conference.forEach((c, n) -> {
        pool.participantsAdded(c.id, n);
        parts.put(c.id, n);
      });
      return parts;
    }
  }
}
