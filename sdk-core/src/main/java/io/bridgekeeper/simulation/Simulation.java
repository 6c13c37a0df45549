package io.bridgekeeper.simulation;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeSelector;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InMemoryCloud;
import io.bridgekeeper.cloud.InstanceStatus;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

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
   */
  public record Options(Duration step, Duration reconcileEvery, double stressPerParticipant, double stressThreshold,
      Duration bootDelay, int initialBridges, Duration launchProtection, Duration drainDeadline, long seed) {
    public Options {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(reconcileEvery, "reconcileEvery");
      if (step.isNegative() || step.isZero() || reconcileEvery.compareTo(step) < 0 || !(stressPerParticipant > 0)
          || !(stressThreshold > 0) || initialBridges < 0) {
        throw new IllegalArgumentException("invalid simulation options: " + this);
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(60), 0.005, 0.8, Duration.ofSeconds(120), 2,
          Duration.ofMinutes(15), Duration.ofHours(1), 1);
    }
  }

  /** What a run measured. */
  public record Result(String policy, double vmHours, double oracleVmHours, double overloadMinutes,
      long participantsMoved, long participantsUnplaced, int scaleActions, int peakBridges) {}

  /** One sample per reconcile, for charts. */
  public record Sample(Instant at, int participants, int bridgesRunning, int bridgesNeeded, double maxStress) {}

  private final Options o;
  private final List<Sample> samples = new ArrayList<>();

  public Simulation(Options options) {
    this.o = Objects.requireNonNull(options, "options");
  }

  /** The samples of the last run. */
  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Runs {@code policy} (named {@code name}) over {@code trace} from {@code start} to {@code end}. */
  public Result run(String name, ScalingPolicy policy, List<Conference> trace, Instant start, Instant end) {
    samples.clear();
    SimulatedClock clock = new SimulatedClock(start);
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    InMemoryCloud cloud = InMemoryCloud.builder(clock).seed(o.seed()).bootDelay(o.bootDelay())
        .deleteDelay(Duration.ofSeconds(30)).quota(100_000).build();
    Set<String> drained = new HashSet<>();
    Autoscaler autoscaler = Autoscaler.builder().pool(pool).cloud(cloud).policy(policy).clock(clock)
        .drainer(id -> drained.add(id)).launchProtection(o.launchProtection()).drainDeadline(o.drainDeadline())
        .build();
    BridgeSelector selector = BridgeSelector.builder().maxBridgeParticipants(-1).build();
    if (o.initialBridges() > 0) {
      // The initial bridges were launched long enough ago to be running (and past protection).
      clock.set(start.minus(o.bootDelay()).minus(o.launchProtection()));
      cloud.grow(o.initialBridges());
    }
    // Conferences on each bridge, and their end times.
    Map<String, List<Conference>> onBridge = new HashMap<>();
    PriorityQueue<Conference> ending = new PriorityQueue<>((a, b) -> a.end().compareTo(b.end()));
    Map<Conference, String> placedOn = new HashMap<>();
    int nextArrival = 0;
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
      // Conferences end.
      while (!ending.isEmpty() && !ending.peek().end().isAfter(now)) {
        Conference c = ending.poll();
        String b = placedOn.remove(c);
        if (b != null) {
          onBridge.get(b).remove(c);
        }
      }
      // Bridges report; bridges that vanished take their conferences with them (moved).
      List<CloudInstance> instances = cloud.listInstances();
      Set<String> running = new HashSet<>();
      for (CloudInstance i : instances) {
        if (i.status() == InstanceStatus.RUNNING) {
          running.add(i.name());
        }
      }
      for (String b : new ArrayList<>(onBridge.keySet())) {
        if (!running.contains(b)) {
          for (Conference c : onBridge.remove(b)) {
            moved += c.participants();
            placedOn.remove(c);
            ending.remove(c);
            place(c, now, pool, selector, onBridge, placedOn, ending);
          }
        }
      }
      for (String b : running) {
        int people = participants(onBridge.get(b));
        pool.presence("sim", b, Optional.of(BridgeStats.parse(Map.of(
            "stress_level", Double.toString(people * o.stressPerParticipant()),
            "drain", Boolean.toString(drained.contains(b)), "endpoints", Integer.toString(people),
            "average_participant_stress", Double.toString(o.stressPerParticipant())))));
      }
      for (String gone : new ArrayList<>(drained)) {
        if (instances.stream().noneMatch(i -> i.name().equals(gone))) {
          drained.remove(gone);
        }
      }
      // Conferences arrive.
      while (nextArrival < trace.size() && !trace.get(nextArrival).start().isAfter(now)) {
        Conference c = trace.get(nextArrival++);
        if (!c.end().isAfter(now)) {
          continue;
        }
        if (!place(c, now, pool, selector, onBridge, placedOn, ending)) {
          unplaced += c.participants();
        }
      }
      if (!now.isBefore(nextReconcile)) {
        pool.refresh();
        autoscaler.reconcileOnce();
        nextReconcile = now.plus(o.reconcileEvery());
      }
      // Measure this step.
      long capacity = instances.stream().filter(i -> i.status().countsAsCapacity() || i.status() == InstanceStatus.STOPPING)
          .count();
      int total = 0;
      double maxStress = 0;
      for (String b : running) {
        int people = participants(onBridge.get(b));
        total += people;
        maxStress = Math.max(maxStress, people * o.stressPerParticipant());
      }
      int needed = (int) Math.ceil(total * o.stressPerParticipant() / o.stressThreshold() - 1e-9);
      double stepSeconds = o.step().toSeconds();
      vmSeconds += capacity * stepSeconds;
      oracleSeconds += Math.max(needed, 0) * stepSeconds;
      if (maxStress > o.stressThreshold()) {
        overloadSeconds += stepSeconds;
      }
      peak = Math.max(peak, running.size());
      if (samples.isEmpty() || !now.isBefore(samples.get(samples.size() - 1).at().plus(o.reconcileEvery()))) {
        samples.add(new Sample(now, total, running.size(), needed, maxStress));
      }
      clock.set(now.plus(o.step()));
    }
    int actions = (int) autoscaler.audit().stream()
        .filter(e -> e.kind().equals("launch") || e.kind().equals("delete")).count();
    return new Result(name, vmSeconds / 3600, oracleSeconds / 3600, overloadSeconds / 60, moved, unplaced, actions, peak);
  }

  private boolean place(Conference c, Instant now, BridgePool pool, BridgeSelector selector,
      Map<String, List<Conference>> onBridge, Map<Conference, String> placedOn, PriorityQueue<Conference> ending) {
    Optional<Bridge> bridge = selector.select(pool.snapshot(), Map.of(), Optional.empty(), Optional.empty());
    if (bridge.isEmpty()) {
      return false;
    }
    String b = bridge.get().id();
    onBridge.computeIfAbsent(b, k -> new ArrayList<>()).add(c);
    placedOn.put(c, b);
    ending.add(c);
    pool.participantsAdded(b, c.participants());
    return true;
  }

  private static int participants(List<Conference> conferences) {
    return conferences == null ? 0 : conferences.stream().mapToInt(Conference::participants).sum();
  }
}
