package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InstanceStatus;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.BridgeDrainer;
import io.bridgekeeper.scaling.ScalingDecision;
import io.bridgekeeper.scaling.ScalingPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's autoscaler on a GCE group of the loopback fake: scale-in drains the chosen bridge and
 * deletes exactly its instance, only once it is empty; scale-out resizes up. The bridge id is not
 * the instance name here, to show the mapping setting carries through.
 */
class GceAutoscalerIT {
  final FakeComputeServer fake = FakeComputeServer.start();
  final GceGroupRef ref = GceTesting.newZonalRef();
  final FakeComputeServer.Group group = fake.addGroup(ref).withRunning("jvb-a", "jvb-b", "jvb-c");
  final GceInstanceGroupBackend gce = GceTesting.backend(fake, ref, new ArrayList<>())
      .bridgeIdOfInstance(name -> name + ".jvb.internal").build();
  final BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), fake.clock());
  final Map<String, Integer> participants = new HashMap<>(Map.of("jvb-a", 10, "jvb-b", 2, "jvb-c", 7));
  final Set<String> drained = new java.util.HashSet<>();
  final ArrayDeque<ScalingDecision> script = new ArrayDeque<>();
  final ScalingPolicy scripted = in -> script.isEmpty() ? new ScalingDecision.Hold("script done") : script.poll();
  final BridgeDrainer drainer = bridgeId -> drained.add(bridgeId) || true;
  final Autoscaler autoscaler = Autoscaler.builder().pool(pool).cloud(gce).policy(scripted).drainer(drainer)
      .clock(fake.clock()).launchProtection(Duration.ofMinutes(15)).drainDeadline(Duration.ofHours(1))
      .bridgeOfInstance(gce::bridgeIdOf).build();

  @AfterEach
  void stop() {
    gce.close();
    fake.close();
  }

  void step(Duration d) {
    fake.advance(d);
    for (CloudInstance i : gce.listInstances()) {
      if (i.status() == InstanceStatus.RUNNING) {
        String bridge = gce.bridgeIdOf(i.name());
        pool.presence("brewery", bridge, Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
            "drain", Boolean.toString(drained.contains(bridge)),
            "endpoints", Integer.toString(participants.getOrDefault(i.name(), 0))))));
      }
    }
    autoscaler.reconcileOnce();
  }

  /** Every instance any deleteInstances request named. */
  Set<String> everDeleted() {
    return fake.requests("deleteInstances").stream()
        .flatMap(r -> GceFaultsIT.deletedRefs(r).stream())
        .map(u -> u.substring(u.lastIndexOf('/') + 1))
        .collect(Collectors.toSet());
  }

  @Test
  void scaleInDeletesOnlyTheDrainedBridgeOnceEmptyAndScaleOutResizesUp() {
    step(Duration.ofMinutes(16)); // past launch protection
    script.add(new ScalingDecision.ScaleIn(1, "test"));
    step(Duration.ofSeconds(10));
    assertEquals(Set.of("jvb-b.jvb.internal"), drained, "the emptiest bridge, by its bridge id");
    for (int i = 0; i < 5; i++) {
      step(Duration.ofMinutes(1));
      assertEquals(Set.of(), everDeleted(), "a drained bridge with participants is not deleted before its deadline");
    }
    participants.put("jvb-b", 0);
    step(Duration.ofSeconds(10));
    assertEquals(Set.of("jvb-b"), everDeleted());
    assertEquals(List.of("jvb-b"), group.deleting());
    assertEquals(2, group.targetSize());

    script.add(new ScalingDecision.ScaleOut(2, "test"));
    step(Duration.ofSeconds(10));
    assertEquals(4, group.targetSize());
    assertEquals(List.of("4"), fake.requests("resize").stream().map(r -> r.query().get("size")).toList());
    for (int i = 0; i < 3; i++) {
      step(Duration.ofMinutes(1));
    }
    assertEquals(4, group.targetSize(), "booting instances count as capacity: no second launch");
    assertEquals(Set.of("jvb-b"), everDeleted(), "only ever the drained instance");
    assertEquals(0, fake.resizeDowns());
  }

  /** A VM that goes down without a delete (spot preemption) stays in the target size: GCE brings it back. */
  @Test
  void aPreemptedVmIsNotReplacedOnTopOfTheTargetSize() {
    step(Duration.ofMinutes(2));
    group.preempt("jvb-c");
    for (int i = 0; i < 12; i++) {
      step(Duration.ofSeconds(10));
    }
    assertEquals(3, group.targetSize(), () -> autoscaler.audit().toString());
    assertEquals(List.of(), fake.requests("resize"));
    assertEquals(3, autoscaler.desired().getAsInt());
  }
}
