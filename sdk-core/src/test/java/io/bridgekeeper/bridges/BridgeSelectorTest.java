package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Selection cases from jicofo's own rules (BridgeSelector.kt and the strategies). */
class BridgeSelectorTest {
  final MutableClock clock = MutableClock.atEpoch();
  final BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);

  void bridge(String id, String region, double stress, String... more) {
    Map<String, String> stats = new LinkedHashMap<>();
    stats.put("stress_level", Double.toString(stress));
    stats.put("drain", "false");
    stats.put("region", region);
    stats.put("version", "2.3");
    for (int i = 0; i < more.length; i += 2) {
      stats.put(more[i], more[i + 1]);
    }
    pool.presence("brewery", id, Optional.of(BridgeStats.parse(stats)));
  }

  Optional<String> select(BridgeSelector selector, Map<String, Integer> conference, String region) {
    return selector.select(pool.snapshot(), conference, Optional.ofNullable(region), Optional.empty())
        .map(Bridge::id);
  }

  @Test
  void leastCorrectedStressWinsAndHardFiltersApply() {
    BridgeSelector single = BridgeSelector.builder().build();
    bridge("a", "eu", 0.5);
    bridge("b", "eu", 0.3);
    bridge("c", "eu", 0.1, "shutting_down", "true");
    bridge("d", "eu", 0.0);
    pool.healthCheck("d", HealthCheck.FAILED);
    assertEquals(Optional.of("b"), select(single, Map.of(), null), "c shuts down, d failed its check");
    pool.participantsAdded("b", 30);
    assertEquals(Optional.of("a"), select(single, Map.of(), null), "b's corrected stress is 0.6 now");
  }

  @Test
  void drainingAndGracefulShutdownAreSoftPreferences() {
    BridgeSelector single = BridgeSelector.builder().build();
    bridge("a", "eu", 0.1, "drain", "true");
    bridge("b", "eu", 0.5, "graceful_shutdown", "true");
    bridge("c", "eu", 0.7);
    assertEquals(Optional.of("c"), select(single, Map.of(), null));
    bridge("c", "eu", 0.7, "drain", "true");
    assertEquals(Optional.of("b"), select(single, Map.of(), null), "not draining is preferred before not in shutdown");
    bridge("b", "eu", 0.5, "graceful_shutdown", "true", "drain", "true");
    assertEquals(Optional.of("a"), select(single, Map.of(), null), "all draining: the least loaded not in shutdown");
    bridge("a", "eu", 0.1, "graceful_shutdown", "true", "drain", "true");
    assertEquals(Optional.of("c"), select(single, Map.of(), null));
    bridge("c", "eu", 0.7, "graceful_shutdown", "true", "drain", "true");
    assertEquals(Optional.of("a"), select(single, Map.of(), null), "nothing else left");
  }

  @Test
  void theConferenceVersionIsAHardFilter() {
    BridgeSelector selector = BridgeSelector.builder().strategy(BridgeSelectionStrategy.regionBased())
        .multiBridge(true).build();
    bridge("old", "eu", 0.1, "version", "2.2", "relay_id", "old");
    bridge("new", "eu", 0.0, "version", "2.3", "relay_id", "new");
    assertEquals(Optional.of("old"), select(selector, Map.of("old", 3), "eu"));
    assertEquals(Optional.empty(), selector.select(pool.snapshot(), Map.of("old", 3), Optional.of("eu"),
        Optional.of("2.3")), "a version other than the conference's");
    assertEquals(Optional.of("new"), selector.select(pool.snapshot(), Map.of(), Optional.empty(), Optional.of("2.3"))
        .map(Bridge::id));
  }

  @Test
  void aConferenceThatCannotSpanBridgesKeepsItsBridgeEvenOverloaded() {
    BridgeSelector single = BridgeSelector.builder().build();
    bridge("a", "eu", 0.95);
    bridge("b", "eu", 0.0);
    assertEquals(Optional.of("a"), select(single, Map.of("a", 10), null));
    clock.advance(Duration.ofSeconds(46));
    bridge("b", "eu", 0.0);
    assertEquals(Optional.empty(), select(single, Map.of("a", 10), null), "its bridge is LOST");
  }

  @Test
  void regionBasedFollowsJicofosOrder() {
    BridgeSelector rb = BridgeSelector.builder().strategy(BridgeSelectionStrategy.regionBased()).multiBridge(true)
        .localRegion("eu-central").regionGroup(Set.of("eu-central", "eu-west")).regionGroup(Set.of("us-east", "us-west"))
        .maxBridgeParticipants(80).build();
    bridge("euc1", "eu-central", 0.3, "relay_id", "euc1");
    bridge("euw1", "eu-west", 0.1, "relay_id", "euw1");
    bridge("use1", "us-east", 0.2, "relay_id", "use1");
    bridge("usw1", "us-west", 0.05, "relay_id", "usw1");
    // Initial selection for a participant in the local region's group: the local region.
    assertEquals(Optional.of("euc1"), select(rb, Map.of(), "eu-west"));
    // Initial selection in another group: that region.
    assertEquals(Optional.of("use1"), select(rb, Map.of(), "us-east"));
    // A region with no bridges falls back to the local region.
    assertEquals(Optional.of("euc1"), select(rb, Map.of(), "ap-south"));
    // Already in the conference and in the region, not loaded: reuse it.
    assertEquals(Optional.of("use1"), select(rb, conference("euc1", 3, "use1", 2), "us-east"));
    // In the group but not the region, already in the conference: preferred over a new bridge in the region.
    assertEquals(Optional.of("usw1"), select(rb, conference("euc1", 3, "usw1", 2), "us-east"));
    // The conference's bridge in the region has reached max participants: a new one in the region's group.
    assertEquals(Optional.of("usw1"), select(rb, conference("euc1", 3, "use1", 80), "us-east"));
    // Everything in the group overloaded: the conference's bridge in the region anyway.
    bridge("usw1", "us-west", 0.9, "relay_id", "usw1");
    bridge("use1", "us-east", 0.85, "relay_id", "use1");
    assertEquals(Optional.of("use1"), select(rb, conference("euc1", 3, "use1", 5), "us-east"));
  }

  @Test
  void intraRegionStaysInTheConferencesRegion() {
    BridgeSelector ir = BridgeSelector.builder().strategy(BridgeSelectionStrategy.intraRegion()).multiBridge(true)
        .build();
    bridge("eu1", "eu", 0.5, "relay_id", "eu1");
    bridge("eu2", "eu", 0.2, "relay_id", "eu2");
    bridge("us1", "us", 0.0, "relay_id", "us1");
    assertEquals(Optional.of("us1"), select(ir, Map.of(), "us"));
    assertEquals(Optional.of("eu1"), select(ir, conference("eu1", 3), "us"), "the conference's bridge, in eu");
    bridge("eu1", "eu", 0.9, "relay_id", "eu1");
    assertEquals(Optional.of("eu2"), select(ir, conference("eu1", 3), "us"), "eu1 overloaded: another in eu");
    bridge("eu2", "eu", 0.9, "relay_id", "eu2");
    assertEquals(Optional.of("eu1"), select(ir, conference("eu1", 3), "us"), "all loaded: the conference's, in eu");
  }

  @Test
  void optionsAreChecked() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BridgeSelector.builder().regionGroup(Set.of("a", "b")).regionGroup(Set.of("b")).build());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BridgeSelector.builder().maxBridgeParticipants(0).build());
  }

  private static Map<String, Integer> conference(Object... idCount) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < idCount.length; i += 2) {
      m.put((String) idCount[i], (Integer) idCount[i + 1]);
    }
    return m;
  }
}
