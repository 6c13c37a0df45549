package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BridgeStatsTest {
  /** {@code GET /colibri/stats} of JVB 2.3.63 (jitsi-anchors.md §3.3), verbatim values. */
  static final String REST_STATS = """
      {
        "stress_level": 0, "average_participant_stress": 0.01,
        "conferences": 0, "participants": 0, "endpoints": 0, "local_endpoints": 0,
        "largest_conference": 0, "visitors": 0, "octo_endpoints": 0,
        "graceful_shutdown": false, "shutting_down": false, "drain": false, "healthy": true,
        "region": "all", "relay_id": "jitsi-jvb-0", "version": "2.3.63-g2a4cc2f8",
        "bit_rate_download": 0, "bit_rate_upload": 0, "packet_rate_download": 0, "packet_rate_upload": 0,
        "incoming_loss": 0, "outgoing_loss": 0, "overall_loss": 0, "rtt_aggregate": 0,
        "threads": 58, "muc_clients_configured": 1, "muc_clients_connected": 1, "mucs_configured": 1, "mucs_joined": 1,
        "total_participants": 19, "total_conferences_created": 10, "total_conferences_completed": 10,
        "total_conference_seconds": 16771, "total_bytes_received": 759150207, "total_bytes_sent": 1314398151,
        "current_timestamp": "2026-03-03 18:30:14.965"
      }
      """;

  @Test
  void readsTheRealRestShape() {
    BridgeStats s = BridgeStats.fromJson(REST_STATS);
    assertEquals(0.0, s.stressLevel().getAsDouble());
    assertEquals(0.01, s.averageParticipantStress().getAsDouble());
    assertEquals(Optional.of(false), s.drain());
    assertEquals(Optional.of(true), s.healthy());
    assertEquals("all", s.region());
    assertEquals("jitsi-jvb-0", s.relayId());
    assertEquals("2.3.63-g2a4cc2f8", s.fullVersion());
    assertEquals(0, s.participants().getAsInt());
    assertEquals("1314398151", s.raw().get("total_bytes_sent"));
    assertEquals("2026-03-03 18:30:14.965", s.raw().get("current_timestamp"));
  }

  @Test
  void readsPresenceStatsAsText() {
    BridgeStats s = BridgeStats.parse(Map.of("stress_level", "0.42", "drain", "true", "graceful_shutdown", "true",
        "version", "2.3.63", "release", "4711", "endpoints", "17", "participants", "3", "conferences", "2"));
    assertEquals(0.42, s.stressLevel().getAsDouble());
    assertTrue(s.gracefulShutdown());
    assertFalse(s.shuttingDown());
    assertEquals("2.3.63-4711", s.fullVersion());
    assertEquals(17, s.participants().getAsInt(), "endpoints wins over the deprecated participants");
    assertEquals(2, s.conferences().getAsInt());
  }

  @Test
  void absentMeansUnknownNotZero() {
    BridgeStats s = BridgeStats.parse(Map.of("version", "2.3"));
    assertTrue(s.stressLevel().isEmpty());
    assertTrue(s.participants().isEmpty());
    assertTrue(s.drain().isEmpty());
  }

  @Test
  void unbelievableStatsAreRefusedNamingTheStat() {
    Map<String, String> bad = Map.of(
        "stress_level", "NaN", "average_participant_stress", "-0.1", "endpoints", "-3", "conferences", "1.5",
        "drain", "yes", "graceful_shutdown", "1");
    bad.forEach((name, value) -> {
      BridgeStatsException e = assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(Map.of(name, value)));
      assertEquals(name, e.stat());
      assertTrue(e.getMessage().contains(name), e.getMessage());
    });
    assertEquals("stress_level",
        assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(Map.of("stress_level", "high"))).stat());
    assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(Map.of("stress_level", "Infinity")));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i <= BridgeStats.MAX_STATS; i++) {
      many.put("s" + i, "1");
    }
    assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(many));
    assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(Map.of("region", "x".repeat(2000))));
  }

  @Test
  void malformedJsonIsRefused() {
    for (String json : new String[] {"", "{", "[1,2]", "\"stats\"", "{\"stress_level\": \"abc\"}", "null"}) {
      assertThrows(BridgeStatsException.class, () -> BridgeStats.fromJson(json), json);
    }
  }
}
