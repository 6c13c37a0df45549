package io.bridgekeeper.bridges;

import static io.bridgekeeper.bridges.BridgeState.DRAINING;
import static io.bridgekeeper.bridges.BridgeState.GRACEFUL_SHUTDOWN;
import static io.bridgekeeper.bridges.BridgeState.HEALTHY;
import static io.bridgekeeper.bridges.BridgeState.LOST;
import static io.bridgekeeper.bridges.BridgeState.OVERLOADED;
import static io.bridgekeeper.bridges.BridgeState.SHUTTING_DOWN;
import static io.bridgekeeper.bridges.BridgeState.STARTING;
import static io.bridgekeeper.bridges.BridgeState.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BridgePoolTest {
  final MutableClock clock = MutableClock.atEpoch();
  final BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
  final List<String> changes = new ArrayList<>();

  {
    pool.addListener(c -> changes.add(c.bridgeId() + ":" + c.before().map(Enum::name).orElse("-") + "->"
        + c.after().map(Enum::name).orElse("-")));
  }

  static Optional<BridgeStats> stats(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Optional.of(BridgeStats.parse(m));
  }

  BridgeState state(String id) {
    return pool.snapshot().bridge(id).orElseThrow().state();
  }

  @Test
  void aBridgeStartsDrainingUntilItsStatsSayOtherwise() {
    pool.presence("brewery-a", "jvb1", Optional.empty());
    assertEquals(STARTING, state("jvb1"));
    pool.presence("brewery-a", "jvb1", stats("stress_level", "0.1"));
    assertEquals(DRAINING, state("jvb1"), "no drain stat: jicofo treats it as draining");
    pool.presence("brewery-a", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    assertEquals(HEALTHY, state("jvb1"));
    assertEquals(List.of("jvb1:-->STARTING", "jvb1:STARTING->DRAINING", "jvb1:DRAINING->HEALTHY"), changes);
  }

  @Test
  void correctedStressCountsParticipantsAddedInTheRampUpWindow() {
    pool.presence("b", "jvb1", stats("stress_level", "0.7", "drain", "false", "average_participant_stress", "0.01"));
    pool.participantsAdded("jvb1", 9);
    assertEquals(0.79, pool.snapshot().bridge("jvb1").orElseThrow().correctedStress().getAsDouble(), 1e-9);
    assertEquals(HEALTHY, state("jvb1"));
    clock.advance(Duration.ofSeconds(10));
    pool.participantsAdded("jvb1", 2);
    assertEquals(OVERLOADED, state("jvb1"), "0.7 + 11 × 0.01 = 0.81");
    clock.advance(Duration.ofSeconds(11));
    pool.refresh();
    assertEquals(HEALTHY, state("jvb1"), "the first nine left the 20 s window");
    assertEquals(2, pool.snapshot().bridge("jvb1").orElseThrow().recentlyAddedParticipants());
  }

  @Test
  void theConfiguredParticipantStressAppliesWhenTheBridgeReportsNone() {
    pool.presence("b", "jvb1", stats("stress_level", "0.5", "drain", "false"));
    pool.participantsAdded("jvb1", 30);
    assertEquals(0.8, pool.snapshot().bridge("jvb1").orElseThrow().correctedStress().getAsDouble(), 1e-9);
    assertEquals(OVERLOADED, state("jvb1"));
  }

  @Test
  void aFailedHealthCheckKeepsABridgeUnhealthyForTheResetTimeAndUntilACheckPasses() {
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    pool.healthCheck("jvb1", HealthCheck.FAILED);
    assertEquals(UNHEALTHY, state("jvb1"));
    pool.healthCheck("jvb1", HealthCheck.PASSED);
    assertEquals(UNHEALTHY, state("jvb1"), "a pass within the reset time does not count yet");
    clock.advance(Duration.ofSeconds(30));
    pool.presence("b", "jvb1", Optional.empty());
    clock.advance(Duration.ofSeconds(29));
    pool.presence("b", "jvb1", Optional.empty());
    assertEquals(UNHEALTHY, state("jvb1"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(HEALTHY, state("jvb1"));

    pool.healthCheck("jvb1", HealthCheck.TIMED_OUT);
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofSeconds(30));
      pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    }
    assertEquals(UNHEALTHY, state("jvb1"), "no check has passed since the timeout");
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false", "healthy", "true"));
    assertEquals(HEALTHY, state("jvb1"), "healthy=true in a presence is a passing check");
  }

  @Test
  void aSilentBridgeIsLostAfterThePresenceTimeoutAndComesBackWhenHeardAgain() {
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    clock.advance(Duration.ofSeconds(45));
    pool.refresh();
    assertEquals(HEALTHY, state("jvb1"));
    clock.advance(Duration.ofMillis(1));
    pool.refresh();
    assertEquals(LOST, state("jvb1"));
    pool.presence("b", "jvb1", Optional.empty());
    assertEquals(HEALTHY, state("jvb1"), "a presence without believable stats keeps the previous stats");
    clock.advance(Duration.ofMinutes(11));
    pool.refresh();
    assertTrue(pool.snapshot().bridge("jvb1").isEmpty(), "forgotten after 45 s + 10 min without a word");
    assertEquals("jvb1:LOST->-", changes.get(changes.size() - 1));
  }

  @Test
  void shutdownFlagsLatch() {
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false", "graceful_shutdown", "true"));
    assertEquals(GRACEFUL_SHUTDOWN, state("jvb1"));
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false", "graceful_shutdown", "false"));
    assertEquals(GRACEFUL_SHUTDOWN, state("jvb1"), "jicofo latches graceful_shutdown");
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "shutting_down", "true"));
    assertEquals(SHUTTING_DOWN, state("jvb1"));
    pool.healthCheck("jvb1", HealthCheck.FAILED);
    assertEquals(SHUTTING_DOWN, state("jvb1"));
    pool.presence("b", "jvb1", stats("stress_level", "0.1"));
    assertEquals(SHUTTING_DOWN, state("jvb1"));
  }

  @Test
  void sourcesMergeByBridgeId() {
    pool.presence("shard-a", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    pool.presence("shard-b", "jvb1", stats("stress_level", "0.2", "drain", "false"));
    assertEquals(1, pool.snapshot().bridges().size());
    assertEquals(java.util.Set.of("shard-a", "shard-b"), pool.snapshot().bridge("jvb1").orElseThrow().sources());
    pool.left("shard-a", "jvb1");
    assertEquals(HEALTHY, state("jvb1"), "still in shard-b's brewery");
    pool.left("shard-b", "jvb1");
    assertTrue(pool.snapshot().bridge("jvb1").isEmpty());
    pool.healthCheck("jvb1", HealthCheck.FAILED);
    assertTrue(pool.snapshot().bridges().isEmpty(), "events for unknown bridges create nothing");
  }

  @Test
  void updateListenersSeeEveryPresenceWithStats() {
    List<String> updates = new ArrayList<>();
    pool.addUpdateListener(b -> updates.add(b.id() + "@" + b.stats().orElseThrow().stressLevel().getAsDouble()));
    pool.presence("b", "jvb1", stats("stress_level", "0.1", "drain", "false"));
    pool.presence("b", "jvb1", stats("stress_level", "0.2", "drain", "false"));
    pool.presence("b", "jvb1", Optional.empty());
    pool.presence("b", "jvb2", stats("stress_level", "0.3", "drain", "false"));
    assertEquals(List.of("jvb1@0.1", "jvb1@0.2", "jvb2@0.3"), updates);
  }
}
