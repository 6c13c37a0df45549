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
 * The autoscaler under random decisions, participant counts, cloud faults, time, bridges that drop
 * their drain (a restarted videobridge) and a brewery that goes silent: after every step, no
 * instance went away while its bridge still had participants before its drain deadline (counted
 * from its latest drain: an undrained bridge starts afresh) or while the latest stats it reported
 * said drain=false, no running instance whose bridge was ever heard went away undrained, no
 * protected instance was drained, and no launch took capacity above the bound. A dry run changes
 * nothing, whatever it sees.
 */
class AutoscalerProperties {
  sealed interface Step permits Decide, Participants, Fault, Tick, DropDrain, Silence, Die {}

  record Decide(int delta) implements Step {}

  record Participants(int bridge, int count) implements Step {}

  record Fault(int calls) implements Step {}

  record Tick(int seconds) implements Step {}

  /** The bridge forgets its drain (its videobridge restarted) and takes conferences again. */
  record DropDrain(int bridge) implements Step {}

  /** No presence reaches the pool for this many minutes, a step each, the policy asking for {@code delta}. */
  record Silence(int minutes, int delta) implements Step {}

  /** The bridge's videobridge dies: its VM keeps running, it never reports again. */
  record Die(int bridge) implements Step {}

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
    Arbitrary<Step> drop = Arbitraries.integers().between(0, 30).map(DropDrain::new);
    Arbitrary<Step> die = Arbitraries.integers().between(0, 30).map(Die::new);
    // Past the presence timeout (LOST) and past forgetLostAfter (gone from the pool).
    Arbitrary<Step> silence = net.jqwik.api.Combinators.combine(Arbitraries.of(2, 12, 25),
        Arbitraries.of(0, -1, 1)).as(Silence::new);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, decide), net.jqwik.api.Tuple.of(3, people),
        net.jqwik.api.Tuple.of(1, fault), net.jqwik.api.Tuple.of(5, tick), net.jqwik.api.Tuple.of(1, drop),
        net.jqwik.api.Tuple.of(1, silence), net.jqwik.api.Tuple.of(1, die)).list().ofMinSize(10).ofMaxSize(60);
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
    // Bridges that forgot their drain (restarted): they report drain=false until drained again.
    Set<String> dropped = new HashSet<>();
    // Bridges whose videobridge died: they never report again.
    Set<String> dead = new HashSet<>();
    Set<String> drainedYoung = new HashSet<>();
    int[] next = {0};
    ScalingPolicy policy = ScalingPolicy.bounded(in -> ComposedPolicies.toward(in.desired(), in.desired() + next[0],
        "random"), MIN, MAX);
    BridgeDrainer drains = id -> {
      drainedAt.put(id, clock.instant());
      dropped.remove(id);
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
    // The drain flag each bridge last reported: what the autoscaler can know of it.
    Map<String, Boolean> reportedDrain = new HashMap<>();
    for (Step s : steps) {
      next[0] = 0;
      int faults = 0;
      int silentMinutes = 0;
      if (s instanceof Decide d) {
        next[0] = d.delta();
      } else if (s instanceof Participants p) {
        participants.put("jvb-" + String.format("%05d", p.bridge()), p.count());
      } else if (s instanceof Fault f) {
        faults = f.calls();
      } else if (s instanceof Tick t) {
        clock.advance(Duration.ofSeconds(t.seconds()));
      } else if (s instanceof DropDrain r) {
        String name = "jvb-" + String.format("%05d", r.bridge());
        if (drainedAt.containsKey(name)) {
          dropped.add(name);
        }
      } else if (s instanceof Silence q) {
        silentMinutes = q.minutes();
        next[0] = q.delta();
      } else if (s instanceof Die d) {
        dead.add("jvb-" + String.format("%05d", d.bridge()));
      }
      for (int minute = 0; minute < Math.max(1, silentMinutes); minute++) {
        if (silentMinutes > 0) {
          clock.advance(Duration.ofMinutes(1));
          pool.refresh();
        }
        List<CloudInstance> before = safeList(cloud);
        for (CloudInstance i : silentMinutes > 0 ? List.<CloudInstance>of() : before) {
          if (i.status() == InstanceStatus.RUNNING && !dead.contains(i.name())) {
            boolean drain = drainedAt.containsKey(i.name()) && !dropped.contains(i.name());
            reportedDrain.put(i.name(), drain);
            pool.presence("brewery", i.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
                "drain", Boolean.toString(drain),
                "endpoints", Integer.toString(participants.getOrDefault(i.name(), UNSET))))));
          }
        }
        cloud.failNextCalls(faults); // for the autoscaler's calls, not the property's observations
        a.reconcileOnce();
        List<CloudInstance> after = safeList(cloud);
        Instant now = clock.instant();
        for (CloudInstance b : before) {
          boolean goneNow = after.stream()
              .noneMatch(x -> x.name().equals(b.name()) && x.status() != InstanceStatus.STOPPING);
          // Only an instance whose bridge never reported (booted while the brewery was silent) may be
          // taken for one without a bridge; once heard, a bridge the pool forgot still carries its
          // conferences: it goes only drained (and not undrained since), and never while the
          // latest stats it sent say drain=false (it dropped its drain: it takes conferences).
          if (b.status() == InstanceStatus.RUNNING && goneNow && reportedDrain.containsKey(b.name())) {
            int people = participants.getOrDefault(b.name(), UNSET);
            Instant since = drainedAt.get(b.name());
            assertTrue(people == 0 || (since != null && !now.isBefore(since.plus(DEADLINE))),
                () -> b.name() + " deleted with " + people + " participants, drained since " + since + ", now " + now);
            assertTrue(since != null, () -> b.name() + " deleted while not drained");
            // A dead bridge cannot confirm its drain: while the others report, its deadline holds.
            assertTrue(reportedDrain.get(b.name()) || (dead.contains(b.name()) && !now.isBefore(since.plus(DEADLINE))),
                () -> b.name() + " deleted while its latest stats say drain=false");
          }
        }
        // A launch never takes capacity above the bound. (A bridge that dropped its drain serves
        // again: one above the bound until the policy scales in, with no launch.)
        long capacity = after.stream().filter(x -> x.status().countsAsCapacity()).count();
        long capacityBefore = before.stream().filter(x -> x.status().countsAsCapacity()).count();
        assertTrue(capacity <= capacityBefore || capacity <= MAX + a.draining().size(),
            () -> "capacity " + capacity + " above " + MAX);
      }
    }
    assertTrue(drainedYoung.isEmpty(), () -> "protected instances drained: " + drainedYoung);

    // Then a quiet hour: no faults, no decisions, rooms over. The group converges to the desired
    // count and every drain finishes.
    participants.clear();
    for (int i = 0; i < 60; i++) {
      next[0] = 0;
      clock.advance(Duration.ofMinutes(1));
      for (CloudInstance inst : safeList(cloud)) {
        if (inst.status() == InstanceStatus.RUNNING && !dead.contains(inst.name())) {
          pool.presence("brewery", inst.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
              "drain", Boolean.toString(drainedAt.containsKey(inst.name()) && !dropped.contains(inst.name())),
              "endpoints", "0"))));
        }
      }
      a.reconcileOnce();
    }
    long running = safeList(cloud).stream().filter(x -> x.status() == InstanceStatus.RUNNING).count();
    int desired = a.desired().orElse(0);
    // Drains finish, a dead bridge's at its deadline, unless no bridge reports at all (a silent
    // brewery holds a drain no report confirmed).
    boolean anyReports = safeList(cloud).stream()
        .anyMatch(x -> x.status() == InstanceStatus.RUNNING && !dead.contains(x.name()));
    assertTrue(!anyReports || a.draining().isEmpty(), () -> "drains left: " + a.draining() + "\n"
        + a.audit().subList(Math.max(0, a.audit().size() - 12), a.audit().size()));
    assertTrue(running == desired, () -> "not converged: " + running + " running, desired " + desired + "; " + safeList(cloud) + "\n" + a.audit().subList(Math.max(0, a.audit().size() - 12), a.audit().size()));
  }

  /**
   * A dry run decides and logs but changes nothing — no launch, delete, drain or undrain — whatever
   * the bridges report: drained by someone else (an operator, the live autoscaler it shadows), empty,
   * dropping their drain, or silent.
   */
  @Property(tries = 100)
  void aDryRunChangesNothing(@ForAll("steps") List<Step> steps) {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    InMemoryCloud cloud = InMemoryCloud.builder(clock).bootDelay(Duration.ofSeconds(60)).launchFailureRate(0.3)
        .seed(steps.size()).build();
    cloud.createInstances(List.of("jvb-00000", "jvb-00001", "jvb-00002", "jvb-00003", "jvb-00004"));
    List<String> calls = new java.util.ArrayList<>();
    io.bridgekeeper.cloud.CloudBackend watched = new io.bridgekeeper.cloud.ForwardingCloudBackend(cloud) {
      @Override
      public void grow(int count) {
        calls.add("grow " + count);
      }

      @Override
      public void createInstances(List<String> names) {
        calls.add("create " + names);
      }

      @Override
      public DeleteResult deleteInstances(List<String> names) {
        calls.add("delete " + names);
        return new DeleteResult(List.of(), names);
      }
    };
    BridgeDrainer drainer = new BridgeDrainer() {
      @Override
      public boolean drain(String id) {
        calls.add("drain " + id);
        return true;
      }

      @Override
      public boolean undrain(String id) {
        calls.add("undrain " + id);
        return true;
      }
    };
    Map<String, Integer> participants = new HashMap<>();
    Set<String> drainedByOthers = new HashSet<>();
    int[] next = {0};
    Autoscaler dry = Autoscaler.builder().pool(pool).cloud(watched).policy(in -> ComposedPolicies.toward(
        in.desired(), Math.max(0, in.desired() + next[0]), "random")).drainer(drainer).clock(clock)
        .launchProtection(PROTECTION).drainDeadline(DEADLINE).dryRun(true).build();
    for (Step s : steps) {
      next[0] = 0;
      int silentMinutes = 0;
      if (s instanceof Decide d) {
        next[0] = d.delta();
      } else if (s instanceof Participants p) {
        String name = "jvb-" + String.format("%05d", p.bridge() % 5);
        participants.put(name, p.count());
        drainedByOthers.add(name);
      } else if (s instanceof Tick t) {
        clock.advance(Duration.ofSeconds(t.seconds()));
      } else if (s instanceof DropDrain r) {
        drainedByOthers.remove("jvb-" + String.format("%05d", r.bridge() % 5));
      } else if (s instanceof Silence q) {
        silentMinutes = q.minutes();
        next[0] = q.delta();
      }
      for (int minute = 0; minute < Math.max(1, silentMinutes); minute++) {
        if (silentMinutes > 0) {
          clock.advance(Duration.ofMinutes(1));
          pool.refresh();
        }
        for (CloudInstance i : silentMinutes > 0 ? List.<CloudInstance>of() : safeList(cloud)) {
          if (i.status() == InstanceStatus.RUNNING) {
            pool.presence("brewery", i.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
                "drain", Boolean.toString(drainedByOthers.contains(i.name())),
                "endpoints", Integer.toString(participants.getOrDefault(i.name(), UNSET))))));
          }
        }
        dry.reconcileOnce();
        assertTrue(calls.isEmpty(), () -> "a dry run acted: " + calls + "\n" + dry.audit());
      }
    }
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
