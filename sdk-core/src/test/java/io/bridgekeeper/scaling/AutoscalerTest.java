package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.MutableClock;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InMemoryCloud;
import java.time.Duration;
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

    // An instance that runs but never brought its bridge up goes first, without a drain.
    cloud.createInstances(List.of("jvb-mute"));
    Autoscaler b = autoscaler().build();
    clock.advance(Duration.ofMinutes(16));
    bridgesReportExcept("jvb-mute");
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    b.reconcileOnce();
    assertTrue(b.draining().contains("jvb-mute"), b.draining().toString());
    clock.advance(Duration.ofSeconds(10));
    bridgesReportExcept("jvb-mute");
    b.reconcileOnce();
    assertTrue(!names().contains("jvb-mute"));
  }

  void bridgesReportExcept(String silent) {
    for (CloudInstance i : cloud.listInstances()) {
      if (!i.name().equals(silent) && i.status() == io.bridgekeeper.cloud.InstanceStatus.RUNNING) {
        pool.presence("brewery", i.name(), Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
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
}
