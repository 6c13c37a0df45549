package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.MutableClock;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InMemoryCloud;
import io.bridgekeeper.cloud.InstanceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The autoscaler under random decisions, participant counts, cloud faults and time: after every
 * step, no instance went away while its bridge still had participants before its drain deadline
 * (counted from its latest drain: an undrained bridge starts afresh), no running instance went away
 * undrained, no protected instance was drained, and capacity never exceeded the bound.
 */
class AutoscalerProperties {
  sealed interface Step permits Decide, Participants, Fault, Tick {}

  record Decide(int delta) implements Step {}

  record Participants(int bridge, int count) implements Step {}

  record Fault(int calls) implements Step {}

  record Tick(int seconds) implements Step {}

  static final int MIN = 1;
  static final int MAX = 8;
  static final Duration PROTECTION = Duration.ofMinutes(10);
  static final Duration DEADLINE = Duration.ofMinutes(20);
  /**
   * Participants of a bridge no step set: a few, so drained bridges wait for their deadline and a
   * scale-out can find them still draining (and undrain them).
   */
  static final int UNSET = 2;

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> decide = Arbitraries.integers().between(-3, 3).map(Decide::new);
    Arbitrary<Step> people = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 30),
        Arbitraries.of(0, 0, 1, 5, 20)).as(Participants::new);
    Arbitrary<Step> fault = Arbitraries.integers().between(1, 3).map(Fault::new);
    Arbitrary<Step> tick = Arbitraries.of(10, 30, 60, 300, 900).map(Tick::new);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, decide), net.jqwik.api.Tuple.of(3, people),
        net.jqwik.api.Tuple.of(1, fault), net.jqwik.api.Tuple.of(5, tick)).list().ofMinSize(10).ofMaxSize(60);
  }

  /**
   * @param canUndrain whether the drainer can cancel a drain (then scale-out undrains first, and a
   *     drain's deadline counts from its latest drain)
   * @param lightOnly whether scale-in waits for light bridges ({@link Autoscaler.Builder#drainOnlyLightBridges})
   */
  @Property(tries = 200)
  void safetyHoldsWhateverHappens(@ForAll("steps") List<Step> steps, @ForAll boolean canUndrain,
      @ForAll boolean lightOnly) {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    InMemoryCloud cloud = InMemoryCloud.builder(clock).bootDelay(Duration.ofSeconds(60)).launchFailureRate(0.1)
        .seed(steps.size()).build();
    Map<String, Integer> participants = new HashMap<>();
    Map<String, Instant> drainedAt = new HashMap<>();
    Set<String> drainedYoung = new HashSet<>();
    int[] next = {0};
    ScalingPolicy policy = ScalingPolicy.bounded(in -> ComposedPolicies.toward(in.desired(), in.desired() + next[0],
        "random"), MIN, MAX);
    BridgeDrainer drains = id -> {
      drainedAt.put(id, clock.instant());
      cloud.listInstances().stream().filter(i -> i.name().equals(id))
          .filter(i -> clock.instant().isBefore(i.createdAt().plus(PROTECTION))).forEach(i -> drainedYoung.add(id));
      return true;
    };
    BridgeDrainer drainer = !canUndrain ? drains : new BridgeDrainer() {
      @Override
      public boolean drain(String id) {
        return drains.drain(id);
      }

      @Override
      public boolean undrain(String id) {
        drainedAt.remove(id); // it takes conferences again; a later drain starts a new deadline
        return true;
      }
    };
    Autoscaler.Builder builder = Autoscaler.builder().pool(pool).cloud(cloud).policy(policy).drainer(drainer)
        .clock(clock).launchProtection(PROTECTION).drainDeadline(DEADLINE);
    Autoscaler a = (lightOnly ? builder.drainOnlyLightBridges(0.5, Duration.ofMinutes(15)) : builder).build();
    for (Step s : steps) {
      next[0] = 0;
      int faults = 0;
      if (s instanceof Decide d) {
        next[0] = d.delta();
      } else if (s instanceof Participants p) {
        participants.put("jvb-" + String.format("%05d", p.bridge()), p.count());
      } else if (s instanceof Fault f) {
        faults = f.calls();
      } else if (s instanceof Tick t) {
        clock.advance(Duration.ofSeconds(t.seconds()));
      }
      List<CloudInstance> before = safeList(cloud);
      for (CloudInstance i : before) {
        if (i.status() == InstanceStatus.RUNNING) {
          pool.presence("brewery", i.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
              "drain", Boolean.toString(drainedAt.containsKey(i.name())),
              "endpoints", Integer.toString(participants.getOrDefault(i.name(), UNSET))))));
        }
      }
      cloud.failNextCalls(faults); // for the autoscaler's calls, not the property's observations
      a.reconcileOnce();
      List<CloudInstance> after = safeList(cloud);
      Instant now = clock.instant();
      for (CloudInstance b : before) {
        boolean goneNow = after.stream().noneMatch(x -> x.name().equals(b.name()) && x.status() != InstanceStatus.STOPPING);
        if (b.status() == InstanceStatus.RUNNING && goneNow) {
          int people = participants.getOrDefault(b.name(), UNSET);
          Instant since = drainedAt.get(b.name());
          assertTrue(people == 0 || (since != null && !now.isBefore(since.plus(DEADLINE))),
              () -> b.name() + " deleted with " + people + " participants, drained since " + since + ", now " + now);
          // Every running bridge reports before each step, so none is taken for one without a bridge:
          // a running instance goes only drained (and not undrained since).
          assertTrue(since != null, () -> b.name() + " deleted while not drained");
        }
      }
      long capacity = after.stream().filter(x -> x.status().countsAsCapacity()).count();
      assertTrue(capacity <= MAX + a.draining().size(), () -> "capacity " + capacity + " above " + MAX);
    }
    assertTrue(drainedYoung.isEmpty(), () -> "protected instances drained: " + drainedYoung);

    // Then a quiet hour: no faults, no decisions, rooms over. The group converges to the desired
    // count and every drain finishes.
    participants.clear();
    for (int i = 0; i < 60; i++) {
      next[0] = 0;
      clock.advance(Duration.ofMinutes(1));
      for (CloudInstance inst : safeList(cloud)) {
        if (inst.status() == InstanceStatus.RUNNING) {
          pool.presence("brewery", inst.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
              "drain", Boolean.toString(drainedAt.containsKey(inst.name())), "endpoints", "0"))));
        }
      }
      a.reconcileOnce();
    }
    long running = safeList(cloud).stream().filter(x -> x.status() == InstanceStatus.RUNNING).count();
    int desired = a.desired().orElse(0);
    assertTrue(a.draining().isEmpty(), () -> "drains left: " + a.draining());
    assertTrue(running == desired, () -> "not converged: " + running + " running, desired " + desired + "; " + safeList(cloud) + "\n" + a.audit().subList(Math.max(0, a.audit().size() - 12), a.audit().size()));
  }

  /** The cloud's instances for a test's own observation: retried, so they consume no injected fault. */
  static List<CloudInstance> safeList(InMemoryCloud cloud) {
    for (int attempt = 0; ; attempt++) {
      try {
        return cloud.listInstances();
      } catch (io.bridgekeeper.cloud.CloudException e) {
        if (attempt > 5) {
          throw e;
        }
      }
    }
  }
}
