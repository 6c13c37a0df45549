package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.MutableClock;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.ForwardingCloudBackend;
import io.bridgekeeper.cloud.InMemoryCloud;
import io.bridgekeeper.cloud.InstanceStatus;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  final MutableClock clock = MutableClock.atEpoch();
  final BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
  final InMemoryCloud cloud = InMemoryCloud.builder(clock).bootDelay(Duration.ofSeconds(60))
      .deleteDelay(Duration.ofSeconds(10)).build();
  final Map<String, Integer> participants = new HashMap<>();
  final Map<String, Boolean> drained = new HashMap<>();
  final List<String> drainCalls = new ArrayList<>();
  final ArrayDeque<ScalingDecision> script = new ArrayDeque<>();
  final ScalingPolicy scripted = in -> script.isEmpty() ? new ScalingDecision.Hold("script done") : script.poll();
  final BridgeDrainer drainer = id -> {
    drainCalls.add(id);
    drained.put(id, true);
    return true;
  };

  /** Every bridge's reported stress. */
  String stress = "0.2";
  final List<String> undrainCalls = new ArrayList<>();
  /** A drainer that can also cancel a drain, as the REST one does ({@code /colibri/drain/disable}). */
  final BridgeDrainer undrainable = new BridgeDrainer() {
    @Override
    public boolean drain(String id) {
      return drainer.drain(id);
    }

    @Override
    public boolean undrain(String id) {
      undrainCalls.add(id);
      drained.put(id, false);
      return true;
    }
  };

  /** {@link #undrainable}, refusing the drains {@code refused} names (checked before the drain is recorded). */
  BridgeDrainer undrainableRefusing(java.util.function.Predicate<String> refused) {
    return new BridgeDrainer() {
      @Override
      public boolean drain(String id) {
        return !refused.test(id) && undrainable.drain(id);
      }

      @Override
      public boolean undrain(String id) {
        return undrainable.undrain(id);
      }
    };
  }

  Autoscaler.Builder autoscaler() {
    return Autoscaler.builder().pool(pool).cloud(cloud).policy(scripted).drainer(drainer).clock(clock)
        .launchProtection(Duration.ofMinutes(15)).drainDeadline(Duration.ofMinutes(30));
  }

  /** Every RUNNING instance's bridge reports (participants as set, drain as drained). */
  void bridgesReport() {
    bridgesReportExcept(null);
  }

  void step(Autoscaler a, Duration d) {
    clock.advance(d);
    bridgesReport();
    a.reconcileOnce();
  }

  Set<String> names() {
    return cloud.listInstances().stream().filter(i -> i.status() != io.bridgekeeper.cloud.InstanceStatus.STOPPING)
        .map(CloudInstance::name).collect(Collectors.toSet());
  }

  @Test
  void scaleOutLaunchesOnceAndStartingInstancesCountAsCapacity() {
    cloud.grow(2);
    Autoscaler a = autoscaler().build();
    script.add(new ScalingDecision.ScaleOut(2, "test"));
    step(a, Duration.ofSeconds(1));
    assertEquals(4, cloud.targetSize());
    step(a, Duration.ofSeconds(10));
    step(a, Duration.ofSeconds(10));
    assertEquals(4, cloud.targetSize(), "booting instances are capacity: nothing more launched");
  }

  @Test
  void scaleInDrainsTheEmptiestUnprotectedBridgeAndDeletesItOnlyWhenEmpty() {
    Autoscaler a = scaledInByOne(Map.of("jvb-a", 10, "jvb-b", 2, "jvb-c", 7));
    assertEquals(List.of("jvb-b"), drainCalls);
    assertEquals(List.of("jvb-b"), a.draining());
    for (int i = 0; i < 5; i++) {
      step(a, Duration.ofMinutes(1));
      assertTrue(names().contains("jvb-b"), "a bridge with participants is never deleted before its deadline");
    }
    participants.put("jvb-b", 0);
    step(a, Duration.ofSeconds(10));
    assertEquals(Set.of("jvb-a", "jvb-c"), names());
    assertEquals(2, cloud.targetSize());
  }

  /** Bridges with these participants, past launch protection, and one scale-in decided. */
  Autoscaler scaledInByOne(Map<String, Integer> people) {
    cloud.createInstances(people.keySet().stream().sorted().toList());
    participants.putAll(people);
    Autoscaler a = autoscaler().build();
    step(a, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    return a;
  }

  @Test
  void scaleOutUndrainsTheBusiestDrainingBridgesBeforeLaunching() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c", "jvb-d"));
    participants.putAll(Map.of("jvb-a", 30, "jvb-b", 2, "jvb-c", 7, "jvb-d", 20));
    Autoscaler a = autoscaler().drainer(undrainable).build();
    step(a, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(2, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b", "jvb-c"), drainCalls);
    assertEquals(2, a.desired().getAsInt());

    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c"), undrainCalls, "the draining bridge with the most participants first");
    assertEquals(List.of("jvb-b"), a.draining());
    assertEquals(3, a.desired().getAsInt());
    assertEquals(4, cloud.targetSize(), "an undrained bridge is capacity: nothing launched");
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("undrain") && e.message().startsWith("jvb-c")));

    script.add(new ScalingDecision.ScaleOut(2, "test"));
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c", "jvb-b"), undrainCalls);
    assertEquals(List.of(), a.draining());
    assertEquals(5, cloud.targetSize(), "the rest of the scale-out is launched");
    for (int i = 0; i < 40; i++) {
      step(a, Duration.ofMinutes(1));
    }
    assertTrue(names().containsAll(Set.of("jvb-a", "jvb-b", "jvb-c", "jvb-d")),
        "past the deadline: the undrained stay");
    assertEquals(5, names().size());
  }

  @Test
  void aDrainerThatCannotUndrainGetsNewInstancesAndTheDrainGoesOn() {
    Autoscaler a = scaledInByOne(Map.of("jvb-a", 10, "jvb-b", 2));
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), a.draining(), "a lambda drainer cannot undrain");
    assertEquals(3, cloud.targetSize());
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("undrain-refused")));
  }

  @Test
  void undrainOnScaleOutCanBeTurnedOff() {
    cloud.createInstances(List.of("jvb-x", "jvb-y"));
    participants.putAll(Map.of("jvb-x", 10, "jvb-y", 2));
    Autoscaler off = autoscaler().drainer(undrainable).undrainOnScaleOut(false).build();
    step(off, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(off, Duration.ofSeconds(10));
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(off, Duration.ofSeconds(10));
    assertEquals(List.of(), undrainCalls, "turned off");
    assertEquals(List.of("jvb-y"), off.draining());
    assertEquals(3, cloud.targetSize());
  }

  /**
   * The pool holds a bridge's last report: right after an undrain it still says {@code drain=true}
   * until the bridge reports again. That stale flag must not be adopted as a drain in progress.
   */
  @Test
  void anUndrainedBridgeIsNotTakenBackForADrainOnItsStaleReport() {
    Autoscaler a = threeBridgesPastProtection(30, 4, 20, autoscaler().drainer(undrainable));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), undrainCalls);

    // Next step, before jvb-b reported again: its report still says drain=true.
    clock.advance(Duration.ofSeconds(2));
    a.reconcileOnce();
    assertEquals(List.of(), a.draining(), () -> "re-adopted on a stale flag: " + a.audit());
    assertEquals(3, a.desired().getAsInt());
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of(), a.draining());
    assertEquals(Set.of("jvb-a", "jvb-b", "jvb-c"), names());

    // A restarted process hears drain=false: nothing to adopt, the group's size is the desired count.
    Autoscaler second = autoscaler().drainer(undrainable).build();
    step(second, Duration.ofSeconds(10));
    assertEquals(List.of(), second.draining());
    assertEquals(3, second.desired().getAsInt());

    // Drained again by someone else (an operator), reported after the undrain: adopted as any drain.
    drained.put("jvb-b", true);
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    assertEquals(2, a.desired().getAsInt());
  }

  @Test
  void aYoungDrainIsSwappedForAMuchLighterBridgeWithADeadlineOfItsOwn() {
    Autoscaler a = threeBridgesPastProtection(30, 10, 12, autoscaler().drainer(undrainable));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    step(a, Duration.ofMinutes(5));
    assertEquals(List.of("jvb-b"), a.draining(), "12 > 0.5 × 10: no swap");

    participants.put("jvb-c", 5); // a large conference on jvb-c ended: 5 ≤ 0.5 × 10
    stress = "0.45";
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), a.draining(), "serving bridges above half the threshold (0.4): no swap");
    stress = "0.2";
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c"), a.draining());
    assertEquals(List.of("jvb-b"), undrainCalls);
    assertEquals(List.of("jvb-b", "jvb-c"), drainCalls);
    assertEquals(2, a.desired().getAsInt(), "the same capacity goes");
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("drain-swap")));

    // jvb-c's deadline counts from the swap (30 min), jvb-b is a serving bridge again.
    step(a, Duration.ofMinutes(29));
    assertEquals(Set.of("jvb-a", "jvb-b", "jvb-c"), names());
    step(a, Duration.ofMinutes(1));
    assertEquals(Set.of("jvb-a", "jvb-b"), names());
    assertEquals(2, cloud.targetSize());
  }

  @Test
  void theSwapStressGuardIsASetting() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    participants.putAll(Map.of("jvb-a", 30, "jvb-b", 10, "jvb-c", 12));
    Autoscaler a = autoscaler().drainer(undrainable).swapDrainsForLighterBridges(0.5, Duration.ofHours(1), 0.6)
        .build();
    step(a, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    participants.put("jvb-c", 5);
    stress = "0.5"; // above 0.6 × 0.8 = 0.48
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), a.draining(), "serving bridges above 0.6 × the threshold: no swap");
    stress = "0.45"; // the default guard (0.4) would refuse this
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c"), a.draining(), () -> "swapped below 0.6 × the threshold: " + a.audit());
    for (double bad : new double[] {0, -0.1, 1.01, Double.NaN}) {
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> autoscaler().swapDrainsForLighterBridges(0.5, Duration.ofHours(1), bad), () -> "accepted " + bad);
    }
  }

  @Test
  void noSwapForAnOldDrainWithoutUndrainOrWhenTurnedOff() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    participants.putAll(Map.of("jvb-a", 30, "jvb-b", 10, "jvb-c", 12));
    Autoscaler old = autoscaler().drainer(undrainable).swapDrainsForLighterBridges(0.5, Duration.ofMinutes(10))
        .build();
    step(old, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(old, Duration.ofSeconds(10));
    step(old, Duration.ofMinutes(11));
    participants.put("jvb-c", 1);
    step(old, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), old.draining(), "drained 11 min ago, more than maxDrainAge");
    assertEquals(List.of(), undrainCalls);

    AutoscalerTest t = new AutoscalerTest();
    t.cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    t.participants.putAll(Map.of("jvb-a", 30, "jvb-b", 10, "jvb-c", 12));
    Autoscaler lambda = t.autoscaler().build(); // a drainer that cannot undrain
    t.step(lambda, Duration.ofMinutes(16));
    t.script.add(new ScalingDecision.ScaleIn(1, "test"));
    t.step(lambda, Duration.ofSeconds(10));
    t.participants.put("jvb-c", 1);
    t.step(lambda, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), lambda.draining());
    assertEquals(List.of("jvb-b"), t.drainCalls, "nothing drained unless the undrain was accepted");

    AutoscalerTest u = new AutoscalerTest();
    u.cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    u.participants.putAll(Map.of("jvb-a", 30, "jvb-b", 10, "jvb-c", 12));
    Autoscaler off = u.autoscaler().drainer(u.undrainable).swapDrainsForLighterBridges(0, Duration.ofHours(1)).build();
    u.step(off, Duration.ofMinutes(16));
    u.script.add(new ScalingDecision.ScaleIn(1, "test"));
    u.step(off, Duration.ofSeconds(10));
    u.participants.put("jvb-c", 1);
    u.step(off, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-b"), off.draining(), "turned off");
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> autoscaler().swapDrainsForLighterBridges(1, Duration.ofHours(1)));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> autoscaler().swapDrainsForLighterBridges(0.5, Duration.ZERO));
  }

  @Test
  void aSwapWhoseNewDrainIsRefusedLeavesTheOldDrainAsItWas() {
    Autoscaler a = threeBridgesPastProtection(30, 10, 12,
        autoscaler().drainer(undrainableRefusing(id -> id.equals("jvb-c"))));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    participants.put("jvb-c", 1);
    step(a, Duration.ofMinutes(10));
    assertEquals(List.of("jvb-b"), a.draining(), "drained again");
    assertEquals(true, drained.get("jvb-b"));
    assertEquals(2, a.desired().getAsInt());
    for (int i = 0; i < 5; i++) {
      step(a, Duration.ofMinutes(1));
    }
    assertEquals(List.of("jvb-b"), undrainCalls, "jvb-c refused once: not tried again, jvb-b does not flap");
    // Its deadline is still the first drain's: 30 min after it, not after the failed swap.
    step(a, Duration.ofMinutes(15));
    assertTrue(!names().contains("jvb-b"), () -> names() + " " + a.audit());
  }

  @Test
  void aSwapThatCanRedrainNeitherLeavesTheBridgeServingAndLaunchesNothing() {
    // Each bridge takes one drain at most; jvb-c none.
    Autoscaler a = threeBridgesPastProtection(30, 10, 12, autoscaler().drainer(
        undrainableRefusing(id -> drainCalls.contains(id) || id.equals("jvb-c"))));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    participants.put("jvb-c", 1);
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of(), a.draining(), "jvb-b serves again");
    assertEquals(3, a.desired().getAsInt(), "and counts towards the desired count");
    assertEquals(3, cloud.targetSize(), "nothing launched for it");
    step(a, Duration.ofMinutes(1));
    assertEquals(3, cloud.targetSize());
  }

  @Test
  void drainOnlyLightBridgesWaitsForALightOneAtMostMaxWait() {
    Autoscaler a = threeBridgesPastProtection(10, 8, 9, autoscaler().drainOnlyLightBridges(0.5, Duration.ofMinutes(10)));
    for (int i = 0; i < 3; i++) {
      script.add(new ScalingDecision.ScaleIn(1, "test"));
      step(a, Duration.ofMinutes(1));
    }
    assertEquals(List.of(), drainCalls, "every bridge above half the mean (9): wait");
    assertEquals(1, a.audit().stream().filter(e -> e.kind().equals("drain-waiting")).count(), "logged once");
    participants.put("jvb-c", 3); // a large conference ended: 3 ≤ 0.5 × 21/3
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c"), drainCalls);

    // All heavy again: after maxWait of asking, the emptiest goes anyway.
    participants.putAll(Map.of("jvb-a", 10, "jvb-b", 8));
    for (int i = 0; i < 10; i++) {
      script.add(new ScalingDecision.ScaleIn(1, "test"));
      step(a, Duration.ofMinutes(1));
      assertEquals(List.of("jvb-c"), drainCalls, "still waiting at minute " + i);
    }
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofMinutes(1));
    assertEquals(List.of("jvb-c", "jvb-b"), drainCalls, "waited 10 min: the emptiest");
  }

  @Test
  void aHoldRestartsTheWaitForALightBridge() {
    cloud.createInstances(List.of("jvb-a", "jvb-b"));
    participants.putAll(Map.of("jvb-a", 10, "jvb-b", 8));
    Autoscaler a = autoscaler().drainOnlyLightBridges(0.5, Duration.ofMinutes(5)).build();
    step(a, Duration.ofMinutes(16));
    for (int i = 0; i < 8; i++) {
      // Asked every other minute only: the policy held in between, so no wait ever reaches 5 min.
      script.add(i % 2 == 0 ? new ScalingDecision.ScaleIn(1, "test") : new ScalingDecision.Hold("test"));
      step(a, Duration.ofMinutes(3));
    }
    assertEquals(List.of(), drainCalls);
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> autoscaler().drainOnlyLightBridges(0, Duration.ofMinutes(5)));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> autoscaler().drainOnlyLightBridges(1.5, Duration.ofMinutes(5)));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> autoscaler().drainOnlyLightBridges(0.5, Duration.ofMinutes(-1)).build());
  }

  @Test
  void theDrainDeadlineEndsAWaitThatNeverEnds() {
    Autoscaler a = scaledInByOne(Map.of("jvb-a", 3, "jvb-b", 4));
    step(a, Duration.ofMinutes(29));
    assertEquals(2, names().size());
    step(a, Duration.ofMinutes(1));
    assertEquals(Set.of("jvb-b"), names());
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("drain-deadline")));
  }

  @Test
  void launchProtectionAndNotYetStartedInstances() {
    cloud.createInstances(List.of("jvb-old"));
    participants.put("jvb-old", 0);
    Autoscaler a = autoscaler().build();
    step(a, Duration.ofMinutes(16));
    cloud.createInstances(List.of("jvb-young"));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofMinutes(2));
    assertEquals(List.of("jvb-old"), drainCalls, "the young one is protected");

    // An instance that runs but never brought its bridge up goes first. Running, it may serve
    // conferences outside the brewery: it goes at the deadline, not at once.
    cloud.createInstances(List.of("jvb-mute"));
    // Its videobridge never started: nothing answers the drain.
    Autoscaler b = autoscaler().drainer(id -> !id.equals("jvb-mute") && drainer.drain(id)).build();
    clock.advance(Duration.ofMinutes(16));
    bridgesReportExcept("jvb-mute");
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    b.reconcileOnce();
    assertTrue(b.draining().contains("jvb-mute"), b.draining().toString());
    for (int i = 0; i < 29; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-mute");
      b.reconcileOnce();
      assertTrue(names().contains("jvb-mute"), "minute " + i);
    }
    clock.advance(Duration.ofMinutes(1));
    bridgesReportExcept("jvb-mute");
    b.reconcileOnce();
    assertTrue(!names().contains("jvb-mute"));
  }

  /** jvb-a, jvb-b and jvb-c carrying these participants, stepped past their launch protection. */
  Autoscaler threeBridgesPastProtection(int a, int b, int c, Autoscaler.Builder builder) {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    participants.putAll(Map.of("jvb-a", a, "jvb-b", b, "jvb-c", c));
    Autoscaler autoscaler = builder.build();
    step(autoscaler, Duration.ofMinutes(16));
    return autoscaler;
  }

  /** {@code minutes} steps of a minute in which every bridge but {@code silent} reports. */
  void minutesWithoutReports(Autoscaler a, String silent, int minutes) {
    for (int i = 0; i < minutes; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept(silent);
      pool.refresh();
      a.reconcileOnce();
    }
  }

  void bridgesReportExcept(String silent) {
    for (CloudInstance i : cloud.listInstances()) {
      if (!i.name().equals(silent) && i.status() == io.bridgekeeper.cloud.InstanceStatus.RUNNING) {
        pool.presence("brewery", i.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", stress,
            "drain", Boolean.toString(drained.getOrDefault(i.name(), false)),
            "endpoints", Integer.toString(participants.getOrDefault(i.name(), 0))))));
      }
    }
  }

  @Test
  void aRestartedAutoscalerFinishesTheDrain() {
    Autoscaler first = scaledInByOne(Map.of("jvb-a", 5, "jvb-b", 1));
    assertEquals(List.of("jvb-b"), first.draining());
    // "Crash": a new autoscaler that knows nothing.
    Autoscaler second = autoscaler().build();
    step(second, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), second.draining(), "adopted from the bridge's drain state");
    participants.put("jvb-b", 0);
    step(second, Duration.ofSeconds(10));
    assertEquals(Set.of("jvb-a"), names());
  }

  @Test
  void onlyTheLeaseHolderActsAndDryRunChangesNothing() {
    Lease lease = Lease.inMemory(clock);
    Autoscaler a = autoscaler().lease(lease, "a").build();
    Autoscaler b = autoscaler().lease(lease, "b").build();
    step(a, Duration.ofSeconds(1));
    script.add(new ScalingDecision.ScaleOut(3, "test"));
    step(b, Duration.ofSeconds(1));
    assertEquals(0, cloud.targetSize(), "b is not the leader");
    assertEquals(1, script.size(), "b did not even decide");
    step(b, Duration.ofMinutes(2));
    assertEquals(3, cloud.targetSize(), "a's lease expired unrenewed: b took over and acted");

    Autoscaler dry = autoscaler().dryRun(true).build();
    script.add(new ScalingDecision.ScaleOut(2, "test"));
    step(dry, Duration.ofSeconds(1));
    assertEquals(3, cloud.targetSize(), "dry run: decided, changed nothing");
    assertTrue(dry.audit().stream().anyMatch(e -> e.message().contains("dry run")));
  }

  @Test
  void failedLaunchesAreReplacedWithoutOverLaunching() {
    InMemoryCloud flaky = InMemoryCloud.builder(clock).bootDelay(Duration.ofSeconds(60)).launchFailureRate(0.5)
        .seed(3).build();
    Autoscaler a = Autoscaler.builder().pool(pool).cloud(flaky).policy(scripted).drainer(drainer).clock(clock).build();
    script.add(new ScalingDecision.ScaleOut(6, "test"));
    for (int i = 0; i < 30; i++) {
      clock.advance(Duration.ofSeconds(30));
      a.reconcileOnce();
      long capacity = flaky.listInstances().stream().filter(x -> x.status().countsAsCapacity()).count();
      assertTrue(capacity <= 6, "never more than desired: " + capacity);
    }
    assertEquals(6, flaky.listInstances().stream().filter(x -> x.status() == io.bridgekeeper.cloud.InstanceStatus.RUNNING)
        .count(), "converged");
  }

  /** Presences of these bridges, {@code people} participants each, drain=false. */
  void report(int people, String... ids) {
    for (String id : ids) {
      pool.presence("brewery", id, Optional.of(BridgeStats.parse(Map.of("stress_level", stress, "drain", "false",
          "endpoints", Integer.toString(people)))));
    }
  }

  @Test
  void aDryRunAdoptsNoDrainAndDeletesNothing() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    participants.putAll(Map.of("jvb-a", 10, "jvb-b", 4, "jvb-c", 7));
    Autoscaler dry = autoscaler().dryRun(true).build();
    step(dry, Duration.ofMinutes(1));
    drained.put("jvb-b", true); // an operator drains it, or the autoscaler this dry run shadows does
    for (int i = 0; i < 5; i++) {
      step(dry, Duration.ofSeconds(10));
    }
    participants.put("jvb-b", 0);
    step(dry, Duration.ofSeconds(10));
    step(dry, Duration.ofMinutes(40)); // and past the drain deadline
    assertEquals(Set.of("jvb-a", "jvb-b", "jvb-c"), names(), () -> "dry run deleted: " + dry.audit());
    assertEquals(3, cloud.targetSize());
    assertEquals(List.of(), drainCalls);
    assertTrue(dry.audit().stream().anyMatch(e -> e.kind().equals("delete") && e.message().contains("dry run")),
        "what it would have done is logged");
  }

  /** A dry run beside production, sharing its lease, must not keep production from acting. */
  @Test
  void aDryRunTakesNoLease() {
    cloud.createInstances(List.of("jvb-a", "jvb-b"));
    Lease lease = Lease.inMemory(clock);
    Autoscaler shadow = autoscaler().dryRun(true).lease(lease, "shadow").build();
    Autoscaler live = autoscaler().lease(lease, "live").build();
    step(shadow, Duration.ofMinutes(1));
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(shadow, Duration.ofSeconds(10));
    assertEquals(2, cloud.targetSize(), "the dry run launched nothing");
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(live, Duration.ofSeconds(10));
    assertEquals(3, cloud.targetSize(), () -> "the live replica did not act: " + live.audit());
  }

  /**
   * Replicas a and b share a lease: a drains jvb-b, stalls (GC pause, partition); b takes over once
   * a's lease expired, adopts the drain and undrains jvb-b on a scale-out.
   */
  Autoscaler[] replicaBUndrainsWhatReplicaADrained() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    participants.putAll(Map.of("jvb-a", 10, "jvb-b", 2, "jvb-c", 7));
    Lease lease = Lease.inMemory(clock);
    Autoscaler a = autoscaler().drainer(undrainable).lease(lease, "a").swapDrainsForLighterBridges(0,
        Duration.ofHours(1)).build();
    Autoscaler b = autoscaler().drainer(undrainable).lease(lease, "b").swapDrainsForLighterBridges(0,
        Duration.ofHours(1)).build();
    step(a, Duration.ofMinutes(16));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    step(b, Duration.ofMinutes(2));
    assertEquals(List.of("jvb-b"), b.draining(), "adopted");
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(b, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), undrainCalls);
    return new Autoscaler[] {a, b};
  }

  /**
   * A replica that stalled while another led keeps its old beliefs: once it leads again it must
   * re-derive them, not delete at its old deadline a bridge the other replica undrained.
   */
  @Test
  void aReplicaThatLeadsAgainForgetsWhatItBelievedBefore() {
    Autoscaler[] replicas = replicaBUndrainsWhatReplicaADrained();
    Autoscaler a = replicas[0];
    Autoscaler b = replicas[1];
    participants.put("jvb-b", 40);
    for (int i = 0; i < 30; i++) {
      step(b, Duration.ofSeconds(30));
    }
    // b dies; a comes back after b's lease expired.
    for (int i = 0; i < 30; i++) {
      step(a, Duration.ofMinutes(1));
    }
    assertTrue(names().contains("jvb-b"), () -> "deleted a bridge another replica undrained: " + a.audit());
    assertEquals(List.of(), a.draining());
    assertEquals(3, a.desired().getAsInt());
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("lease-lost")));
  }

  /**
   * What a replica believed before it lost the lease is stale: here its drain of jvb-b (deadline
   * from T1) was undone and restarted by the other replica (deadline from T2). Enforcing the old
   * deadline would delete jvb-b, with participants, 8 minutes before the drain that holds now.
   */
  @Test
  void aReplicaThatLeadsAgainDoesNotEnforceTheDeadlineOfADrainItNoLongerOwns() {
    Autoscaler[] replicas = replicaBUndrainsWhatReplicaADrained(); // a drained jvb-b at T1
    Autoscaler a = replicas[0];
    Autoscaler b = replicas[1];
    participants.put("jvb-b", 5);
    for (int i = 0; i < 10; i++) {
      step(b, Duration.ofSeconds(30));
    }
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(b, Duration.ofSeconds(10)); // T2 ≈ T1 + 8 min: b drains jvb-b again
    assertEquals(List.of("jvb-b"), b.draining());
    for (int i = 0; i < 25; i++) { // b dies; a leads again, until T1 + 32 min (T2 + 25 min)
      step(a, Duration.ofMinutes(1));
    }
    assertTrue(names().contains("jvb-b"), () -> "deleted at the deadline of a drain it no longer owns: "
        + a.audit());
    assertEquals(List.of("jvb-b"), a.draining(), "the drain in progress, adopted afresh");
  }

  @Test
  void aStepThatOutlivesItsLeaseActsNoMore() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    Lease lease = Lease.inMemory(clock);
    ScalingPolicy atLeast5 = ScalingPolicy.bounded(in -> new ScalingDecision.Hold("test"), 5, 10);
    Autoscaler[] other = new Autoscaler[1];
    boolean[] hang = {true};
    CloudBackend slow = new ForwardingCloudBackend(cloud) {
      @Override
      public List<CloudInstance> listInstances() {
        List<CloudInstance> listed = super.listInstances();
        if (hang[0]) {
          // The call takes 2 min (retries): the lease expires, and the other replica leads meanwhile.
          hang[0] = false;
          clock.advance(Duration.ofMinutes(2));
          other[0].reconcileOnce();
        }
        return listed;
      }
    };
    Autoscaler a = Autoscaler.builder().pool(pool).cloud(slow).policy(atLeast5).drainer(drainer).clock(clock)
        .lease(lease, "a").build();
    other[0] = Autoscaler.builder().pool(pool).cloud(cloud).policy(atLeast5).drainer(drainer).clock(clock)
        .lease(lease, "b").build();
    a.reconcileOnce();
    assertEquals(5, cloud.targetSize(), () -> "both replicas launched: " + a.audit() + " " + other[0].audit());
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("lease-lost")), () -> a.audit().toString());
  }

  /** The brewery connection drops: the bridges keep their conferences, the pool forgets them all. */
  @Test
  void noScaleInWhileThePoolKnowsNoneOfTheRunningBridges() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c", "jvb-d"));
    participants.putAll(Map.of("jvb-a", 60, "jvb-b", 60, "jvb-c", 60, "jvb-d", 60));
    Autoscaler a = autoscaler().build();
    step(a, Duration.ofMinutes(16));
    for (int i = 0; i < 12; i++) { // LOST after 45 s, forgotten after 10 min more
      clock.advance(Duration.ofMinutes(1));
      pool.refresh();
      a.reconcileOnce();
    }
    assertTrue(pool.snapshot().bridges().isEmpty());
    for (int i = 0; i < 10; i++) {
      script.add(new ScalingDecision.ScaleIn(1, "no load seen"));
      clock.advance(Duration.ofMinutes(1));
      pool.refresh();
      a.reconcileOnce();
    }
    assertEquals(Set.of("jvb-a", "jvb-b", "jvb-c", "jvb-d"), names(), () -> a.audit().toString());
    assertEquals(List.of(), drainCalls);
    assertEquals(4, a.desired().getAsInt());
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("scale-in-refused")));
  }

  /** Once heard, an instance has a bridge: one the pool forgot is drained, never deleted as bridgeless. */
  @Test
  void anInstanceWhoseBridgeThePoolForgotIsNotTakenForOneWithoutABridge() {
    Autoscaler a = threeBridgesPastProtection(10, 2, 1, autoscaler());
    minutesWithoutReports(a, "jvb-c", 12); // jvb-c's XMPP connection broke: it still serves its conference
    assertTrue(pool.snapshot().bridge("jvb-c").isEmpty(), "forgotten");
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-c");
      a.reconcileOnce();
    }
    assertEquals(List.of("jvb-b"), drainCalls, "the emptiest bridge it knows: jvb-c's participants are unknown");
    assertTrue(names().contains("jvb-c"), () -> a.audit().toString());

    // Asked to drain it too, it does so through the drainer and waits for the deadline.
    script.add(new ScalingDecision.ScaleIn(2, "test"));
    clock.advance(Duration.ofMinutes(1));
    bridgesReportExcept("jvb-c");
    a.reconcileOnce();
    assertEquals(List.of("jvb-b", "jvb-a", "jvb-c"), drainCalls);
    for (int i = 0; i < 29; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-c");
      a.reconcileOnce();
      assertTrue(names().contains("jvb-c"), "minute " + i);
    }
  }

  /**
   * jvb-b is drained and its videobridge dies before any report confirms the drain, while every
   * other bridge keeps reporting: it is dead (or outside the brewery, where jicofo gives it no
   * conference), so its deadline holds. Holding it for a confirmation that can never come kept the
   * VM for good, out of the desired count.
   */
  @Test
  void aDrainedBridgeThatDiesBeforeConfirmingGoesAtItsDeadlineWhenTheOthersReport() {
    Autoscaler a = threeBridgesPastProtection(10, 2, 7, autoscaler());
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), drainCalls);
    for (int i = 0; i < 31; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-b");
      pool.refresh();
      a.reconcileOnce();
      if (i < 29) {
        assertTrue(names().contains("jvb-b"), "minute " + i + ": before its deadline");
      }
    }
    assertFalse(names().contains("jvb-b"), () -> "kept past its 30 min deadline: " + a.audit());
    assertEquals(2, a.desired().getAsInt());
  }

  /**
   * A restarted autoscaler never heard jvb-c's bridge (its brewery connection broke before): a
   * running instance without a known bridge may still serve conferences. It is drained through the
   * drainer and deleted at the deadline, never at once as one that never started a bridge.
   */
  @Test
  void aRestartedAutoscalerDrainsARunningInstanceWithoutAKnownBridgeAndWaitsForTheDeadline() {
    Autoscaler first = threeBridgesPastProtection(10, 8, 30, autoscaler());
    minutesWithoutReports(first, "jvb-c", 12);
    Autoscaler second = autoscaler().build(); // restarted: it never heard jvb-c
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-c");
      second.reconcileOnce();
    }
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    for (int i = 0; i < 29; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-c");
      second.reconcileOnce();
      assertTrue(names().contains("jvb-c"), () -> "deleted before its deadline: " + second.audit());
    }
    assertEquals(List.of("jvb-c"), drainCalls, "drained through the drainer");
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofMinutes(1));
      bridgesReportExcept("jvb-c");
      second.reconcileOnce();
    }
    assertFalse(names().contains("jvb-c"), () -> "gone at its deadline: " + second.audit());
  }

  /** A report of 0 participants from before the drain says nothing of a conference placed just before it. */
  @Test
  void emptinessIsReadOnlyFromStatsThatArrivedAfterTheDrain() {
    Autoscaler a = threeBridgesPastProtection(10, 0, 7, autoscaler());
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    clock.advance(Duration.ofSeconds(3));
    bridgesReport(); // jvb-b reports 0 participants ...
    participants.put("jvb-b", 12); // ... then jicofo places a conference on it ...
    a.reconcileOnce(); // ... and it is drained
    assertEquals(List.of("jvb-b"), a.draining());
    clock.advance(Duration.ofSeconds(3));
    pool.presence("brewery", "jvb-b", Optional.empty()); // a presence whose stats could not be read
    a.reconcileOnce();
    assertTrue(names().contains("jvb-b"), () -> "deleted on a report from before its drain: " + a.audit());
    step(a, Duration.ofSeconds(10));
    assertTrue(names().contains("jvb-b"));
    participants.put("jvb-b", 0);
    step(a, Duration.ofSeconds(10));
    assertFalse(names().contains("jvb-b"), "empty since its drain: deleted");
  }

  @Test
  void aBridgeThatDropsItsDrainTakesConferencesAgainAndIsNotDeleted() {
    Autoscaler a = scaledInByOne(Map.of("jvb-a", 10, "jvb-b", 2, "jvb-c", 7));
    assertEquals(List.of("jvb-b"), a.draining());
    // A report built before the drain took still says drain=false: not a dropped drain.
    drained.put("jvb-b", false);
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), a.draining());
    drained.put("jvb-b", true);
    step(a, Duration.ofSeconds(10));

    drained.put("jvb-b", false); // its videobridge restarted: the drain flag is not persisted
    participants.put("jvb-b", 35); // and jicofo places conferences on it again
    for (int i = 0; i < 40; i++) {
      step(a, Duration.ofMinutes(1));
    }
    assertTrue(names().contains("jvb-b"), () -> "deleted while reporting drain=false: " + a.audit());
    assertEquals(List.of(), a.draining());
    assertEquals(3, a.desired().getAsInt(), "it counts towards the desired count again");
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("drain-dropped")));
  }

  /**
   * jvb-b accepts every drain but never applies it (it keeps reporting drain=false): it is dropped
   * a presence timeout later. Taking it first again would drain and drop it for ever while the fleet
   * never shrinks; it is taken last for one drain deadline, so the next scale-in drains another.
   */
  @Test
  void aBridgeThatDroppedItsDrainIsTakenLastForADeadline() {
    Autoscaler a = threeBridgesPastProtection(10, 2, 7, autoscaler().drainer(id -> {
      drainCalls.add(id);
      drained.put(id, !id.equals("jvb-b"));
      return true;
    }));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    for (int i = 0; i < 6; i++) {
      step(a, Duration.ofSeconds(10));
    }
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("drain-dropped")), () -> a.audit().toString());
    assertEquals(List.of(), a.draining());
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b", "jvb-c"), drainCalls, "the next emptiest, not jvb-b again");
    assertEquals(List.of("jvb-c"), a.draining());
  }

  /**
   * Drained, then the brewery went silent before any report confirmed the drain: the last word the
   * bridge sent says drain=false (it may have restarted and be taking conferences), so its deadline
   * waits for a confirmation.
   */
  @Test
  void aDrainNoReportConfirmedIsNotEnforcedAtItsDeadline() {
    Autoscaler a = threeBridgesPastProtection(10, 2, 7, autoscaler());
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    clock.advance(Duration.ofSeconds(10));
    bridgesReport();
    a.reconcileOnce();
    assertEquals(List.of("jvb-b"), drainCalls);
    for (int i = 0; i < 40; i++) {
      clock.advance(Duration.ofMinutes(1));
      pool.refresh();
      a.reconcileOnce();
    }
    assertTrue(names().contains("jvb-b"), () -> "deleted at the deadline of an unconfirmed drain: " + a.audit());
    assertEquals(1, a.audit().stream().filter(e -> e.kind().equals("drain-unconfirmed")).count(), "logged once");
    step(a, Duration.ofSeconds(10)); // the brewery is back: drain=true, 2 participants, past the deadline
    assertFalse(names().contains("jvb-b"));
  }

  /** Launches that failed on a quota leave the group below the desired count: a scale-in cancels them first. */
  @Test
  void aScaleInBelowTheDesiredCountCancelsLaunchesBeforeDrainingABridge() {
    InMemoryCloud small = InMemoryCloud.builder(clock).quota(3).build();
    small.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    clock.advance(Duration.ofMinutes(20));
    report(80, "jvb-a", "jvb-b", "jvb-c");
    Autoscaler a = Autoscaler.builder().pool(pool).cloud(small).policy(scripted).drainer(drainer).clock(clock).build();
    script.add(new ScalingDecision.ScaleOut(2, "test"));
    a.reconcileOnce();
    assertEquals(5, a.desired().getAsInt());
    assertEquals(3, small.targetSize(), "quota");
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    clock.advance(Duration.ofSeconds(30));
    report(80, "jvb-a", "jvb-b", "jvb-c");
    a.reconcileOnce();
    assertEquals(List.of(), drainCalls, () -> "3 run, desired 5 → 4: " + a.audit());
    assertEquals(4, a.desired().getAsInt());
    script.add(new ScalingDecision.ScaleIn(2, "test"));
    clock.advance(Duration.ofSeconds(30));
    report(80, "jvb-a", "jvb-b", "jvb-c");
    a.reconcileOnce();
    assertEquals(1, drainCalls.size(), "one launch cancelled, one bridge drained");
    assertEquals(2, a.desired().getAsInt());
  }

  @Test
  void aLaunchStillNotRunningPastItsProtectionIsTheFirstVictimWithoutADrain() {
    InMemoryCloud slow = InMemoryCloud.builder(clock).bootDelay(Duration.ofHours(5)).build();
    slow.createInstances(List.of("jvb-a", "jvb-b"));
    clock.advance(Duration.ofHours(5));
    slow.createInstances(List.of("jvb-stuck")); // GCE keeps retrying a launch that hit a quota
    clock.advance(Duration.ofMinutes(20));
    report(30, "jvb-a", "jvb-b");
    Autoscaler a = Autoscaler.builder().pool(pool).cloud(slow).policy(scripted).drainer(drainer).clock(clock).build();
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    a.reconcileOnce();
    assertEquals(List.of("jvb-stuck"), a.draining());
    assertEquals(List.of(), drainCalls);
    clock.advance(Duration.ofSeconds(10));
    report(30, "jvb-a", "jvb-b");
    a.reconcileOnce();
    assertEquals(Set.of("jvb-a", "jvb-b"), slow.listInstances().stream()
        .filter(i -> i.status() != InstanceStatus.STOPPING).map(CloudInstance::name).collect(Collectors.toSet()));
    assertEquals(2, a.desired().getAsInt());
  }

  /** An operator resize, or GCE's autoscaler in ONLY_SCALE_OUT: the group has more instances than desired. */
  @Test
  void aGroupGrownOutsideTheAutoscalerBecomesTheDesiredCount() {
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c"));
    stress = "0.02";
    Autoscaler a = autoscaler().policy(ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(1, 10))).build();
    step(a, Duration.ofMinutes(1));
    cloud.grow(1);
    step(a, Duration.ofSeconds(10));
    assertEquals(4, a.desired().getAsInt(), () -> a.audit().toString());
    for (int i = 0; i < 6 * 60; i++) {
      step(a, Duration.ofSeconds(10));
    }
    assertTrue(a.audit().stream().anyMatch(e -> e.kind().equals("drain")),
        () -> "stress 0.02 for an hour, no scale-in: " + a.audit());
  }

  @Test
  void durationsBeyondTheirBoundsAreRefusedWhenBuilt() {
    for (Duration bad : List.of(ChronoUnit.FOREVER.getDuration(), Duration.ofDays(31), Duration.ZERO,
        Duration.ofSeconds(-1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> autoscaler().drainDeadline(bad).build(), () -> "drainDeadline " + bad);
      assertTrue(e.getMessage().startsWith("drainDeadline"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> autoscaler().leaseTtl(bad).build(), () -> "leaseTtl " + bad);
      assertThrows(IllegalArgumentException.class, () -> autoscaler().swapDrainsForLighterBridges(0.5, bad));
    }
    for (Duration bad : List.of(ChronoUnit.FOREVER.getDuration(), Duration.ofDays(31), Duration.ofSeconds(-1))) {
      assertThrows(IllegalArgumentException.class, () -> autoscaler().launchProtection(bad).build(),
          () -> "launchProtection " + bad);
      assertThrows(IllegalArgumentException.class, () -> autoscaler().drainOnlyLightBridges(0.5, bad));
    }
    assertThrows(IllegalArgumentException.class, () -> autoscaler().leaseTtl(Duration.ofDays(2)).build());
    autoscaler().launchProtection(Duration.ZERO).drainDeadline(Duration.ofDays(30)).leaseTtl(Duration.ofDays(1))
        .build();
  }

  /** A presence whose stats could not be believed keeps the pool's drain=true from before the undrain. */
  @Test
  void anUndrainedBridgeIsNotAdoptedOnAPresenceWithoutStats() {
    Autoscaler a = threeBridgesPastProtection(30, 4, 20, autoscaler().drainer(undrainable));
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(a, Duration.ofSeconds(10));
    script.add(new ScalingDecision.ScaleOut(1, "test"));
    step(a, Duration.ofSeconds(10));
    assertEquals(List.of("jvb-b"), undrainCalls);
    clock.advance(Duration.ofSeconds(2));
    pool.presence("brewery", "jvb-b", Optional.empty());
    a.reconcileOnce();
    assertEquals(List.of(), a.draining(), () -> "re-adopted on the stale flag: " + a.audit());
    assertEquals(3, a.desired().getAsInt());
  }
}
