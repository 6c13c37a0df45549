package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.BridgeDrainer;
import io.bridgekeeper.scaling.ScalingDecision;
import io.bridgekeeper.scaling.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Reliability: GCE fails in every way the fake can while the autoscaler drains two bridges of a
 * zonal group — errors before a call (429, 500, 503, 403, 404) on reads, deletes, operation polls
 * and VM reads, lost delete responses, delete operations DONE with errors — and the autoscaler
 * process restarts once in the middle. Seeded: two seeds of 45 one-minute steps (faults in 36), then
 * quiet 10-minute steps until it converged (at most 25).
 *
 * <p>What must hold: every {@code deleteInstances} request names only drained instances, each
 * either empty by then or past its drain deadline (counted from its first drain); no resize down
 * ever; and once GCE behaves, exactly the two drained instances are gone and the group keeps the
 * other three.
 */
class GceDrainFaultsIT {
  static final Duration DEADLINE = Duration.ofMinutes(30);

  @Test
  void gceErrorsMidDrainNeverDeleteABridgeEarly() {
    for (long seed = 1; seed <= 2; seed++) {
      long start = System.nanoTime();
      run(seed);
      System.out.printf("gce drain faults: seed %d in %d ms%n", seed, (System.nanoTime() - start) / 1_000_000);
    }
  }

  private void run(long seed) {
    Random random = new Random(seed);
    try (FakeComputeServer fake = FakeComputeServer.start()) {
      GceGroupRef ref = GceTesting.newZonalRef();
      FakeComputeServer.Group group = fake.addGroup(ref).withRunning("jvb-a", "jvb-b", "jvb-c", "jvb-d", "jvb-e");
      try (GceInstanceGroupBackend gce = GceTesting.backend(fake, ref, new ArrayList<>()).build()) {
        BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), fake.clock());
        Map<String, Integer> participants = new HashMap<>(Map.of("jvb-a", 9, "jvb-b", 2, "jvb-c", 7, "jvb-d", 3,
            "jvb-e", 12));
        Map<String, Instant> drainedAt = new HashMap<>();
        ArrayDeque<ScalingDecision> script = new ArrayDeque<>();
        ScalingPolicy scripted = in -> script.isEmpty() ? new ScalingDecision.Hold("script done") : script.poll();
        BridgeDrainer drainer = id -> {
          drainedAt.putIfAbsent(id, fake.clock().instant());
          return true;
        };
        Autoscaler.Builder builder = Autoscaler.builder().pool(pool).cloud(gce).policy(scripted).drainer(drainer)
            .clock(fake.clock()).launchProtection(Duration.ofMinutes(15)).drainDeadline(DEADLINE);
        Autoscaler autoscaler = builder.build();

        fake.advance(Duration.ofMinutes(16));
        report(group, pool, participants, drainedAt);
        autoscaler.reconcileOnce();
        script.add(new ScalingDecision.ScaleIn(2, "test"));
        int deleteRequestsSeen = 0;
        List<String> faults = new ArrayList<>();
        for (int step = 0; step < 70; step++) {
          if (step >= 45 && autoscaler.draining().isEmpty() && group.targetSize() == 3) {
            break; // converged (queued faults can outlive the fault phase by a few steps)
          }
          if (step == 15) {
            autoscaler = builder.build(); // the process restarts mid-drain, with the same pool
          }
          if (step == 20) {
            participants.put("jvb-b", 0); // one drain ends by itself; the other (jvb-d: 3) waits for its deadline
          }
          if (step < 36) {
            faults.add(inject(fake, random));
          }
          // A restarted autoscaler counts an adopted drain's deadline from when it adopted it: the
          // last steps are 10 minutes long, so jvb-d's (adopted at step 15) passes too.
          fake.advance(Duration.ofMinutes(step < 45 ? 1 : 10));
          report(group, pool, participants, drainedAt);
          autoscaler.reconcileOnce();

          List<FakeComputeServer.Request> deletes = fake.requests("deleteInstances");
          Instant now = fake.clock().instant();
          for (FakeComputeServer.Request r : deletes.subList(deleteRequestsSeen, deletes.size())) {
            for (String name : GceFaultsIT.deletedRefs(r).stream().map(u -> u.substring(u.lastIndexOf('/') + 1)).toList()) {
              Instant since = drainedAt.get(name);
              int people = participants.getOrDefault(name, 0);
              int s = step;
              assertTrue(since != null, () -> "seed " + seed + " step " + s + ": deleted " + name + ", never drained");
              assertTrue(people == 0 || !now.isBefore(since.plus(DEADLINE)), () -> "seed " + seed + " step " + s
                  + ": deleted " + name + " with " + people + " participants, drained at " + since + ", now " + now
                  + "; faults " + faults);
            }
          }
          deleteRequestsSeen = deletes.size();
        }
        assertEquals(Set.of("jvb-b", "jvb-d"), drainedAt.keySet(), "seed " + seed + ": the two emptiest drained");
        assertEquals(0, fake.resizeDowns(), "seed " + seed);
        assertEquals(new TreeSet<>(List.of("jvb-a", "jvb-c", "jvb-e")), new TreeSet<>(group.instanceNames().stream()
            .filter(n -> !group.deleting().contains(n)).toList()),
            "seed " + seed + ": exactly the drained instances went; faults " + faults + "\n" + autoscaler.audit());
        assertEquals(3, group.targetSize(), "seed " + seed + ": nothing launched in their place");
        Autoscaler last = autoscaler;
        assertTrue(autoscaler.draining().isEmpty(), () -> "seed " + seed + ": still draining " + last.draining() + "; "
            + group.deleting() + "\n" + last.audit().subList(Math.max(0, last.audit().size() - 6), last.audit().size()));
      }
    }
  }

  /** One fault (or none) for the next step, chosen by {@code random}; returns what it was. */
  private static String inject(FakeComputeServer fake, Random random) {
    List<String> calls = List.of("get", "listManagedInstances", "deleteInstances", "operations.get", "instances.get");
    String call = calls.get(random.nextInt(calls.size()));
    int[] statuses = {429, 500, 503, 403, 404};
    int status = statuses[random.nextInt(statuses.length)];
    switch (random.nextInt(6)) {
      case 0, 1 -> fake.failNext(call, status, 1 + random.nextInt(6));
      case 2 -> fake.loseNextResponse("deleteInstances", 503);
      case 3 -> fake.failNextOperation("deleteInstances", random.nextBoolean() ? "RESOURCE_NOT_READY" : "QUOTA_EXCEEDED",
          "injected");
      default -> {
        return "none";
      }
    }
    return call + "/" + status;
  }

  /** Presences of every live instance's bridge, as the brewery brings them (read from the fake: faults are for the autoscaler). */
  private static void report(FakeComputeServer.Group group, BridgePool pool, Map<String, Integer> participants,
      Map<String, Instant> drainedAt) {
    for (String name : group.instanceNames()) {
      if (!group.deleting().contains(name)) {
        pool.presence("brewery", name, Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2",
            "drain", Boolean.toString(drainedAt.containsKey(name)),
            "endpoints", Integer.toString(participants.getOrDefault(name, 0))))));
      }
    }
  }

  static Set<String> names(List<String> refs) {
    return refs.stream().map(u -> u.substring(u.lastIndexOf('/') + 1)).collect(Collectors.toSet());
  }
}
