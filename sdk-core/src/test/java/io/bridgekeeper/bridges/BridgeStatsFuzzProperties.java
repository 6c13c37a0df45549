package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reliability fuzzing of bridge stats, as presences carry them (name → text) and as {@code GET
 * /colibri/stats} returns them (JSON): hostile values for every stat jicofo reads, random names,
 * too many or too long stats, random bytes and mutated JSON. Every outcome is stats the pool can
 * use or a {@link BridgeStatsException} naming the stat; fed to a pool, refused stats keep the
 * bridge alive with its previous stats.
 */
class BridgeStatsFuzzProperties {
  private static final List<String> KNOWN = List.of("stress_level", "average_participant_stress", "graceful_shutdown",
      "shutting_down", "drain", "version", "release", "region", "relay_id", "healthy", "conferences", "endpoints",
      "participants");

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "0", "-0", "0.5", " 0.5 ", "-1", "1e308", "1e309", "-1e-320", "NaN", "Infinity",
            "-Infinity", "0x10", "1_0", "true", "false", "TRUE", " true", "yes", "null", "2147483647", "2147483648",
            "-2147483648", "9".repeat(40), "1.0", "+3", "\u0000", "a\nb", "\ud800", "\u0661", "1d", "1f", "Ⅻ"),
        Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.strings().withChars("0123456789.-+eE").ofMaxLength(12),
        Arbitraries.integers().between(1020, 1030).map("7"::repeat));
  }

  @Provide
  Arbitrary<Map<String, String>> statMaps() {
    Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(KNOWN), Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.integers().between(1020, 1030).map("n"::repeat));
    return Arbitraries.maps(names, values()).ofMaxSize(20);
  }

  @Provide
  Arbitrary<List<Map<String, String>>> reportSequences() {
    return statMaps().list().ofMinSize(1).ofMaxSize(15);
  }

  @Property(tries = 3000)
  void statMapsParseOrNameTheStat(@ForAll("statMaps") Map<String, String> stats) {
    try {
      check(BridgeStats.parse(stats));
    } catch (BridgeStatsException e) {
      assertTrue(e.stat().equals("*") || stats.containsKey(e.stat()) || e.stat().length() <= 41,
          () -> "unknown stat named: " + e.stat());
      assertFalse(e.getMessage().isBlank());
      assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 && c != '\t'),
          () -> "raw control character in " + e.getMessage());
    } catch (RuntimeException e) {
      fail("stats " + stats + " threw " + e, e);
    }
  }

  @Provide
  Arbitrary<String> jsonTexts() {
    Arbitrary<String> json = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(KNOWN), Arbitraries.of("0.3", "-1", "\"x\"", "true", "null", "[]", "{}",
            "1e999", "\"NaN\"", "12345678901234567890", "\"\\u0000\"", "{\"a\":[1,2]}", "-0.0", "2.5e-400"))
            .as((k, v) -> "\"" + k + "\":" + v)
            .list().ofMaxSize(12).map(l -> "{" + String.join(",", l) + "}"),
        Arbitraries.of("", "null", "[]", "1", "\"s\"", "{", "}", "{\"a\"}", "{\"a\":}", "{,}", "{\"a\":1,}",
            "{\"a\":1}{", "[" .repeat(3000), "{\"a\":" .repeat(3000), "\ufeff{}", "{\"stress_level\":0.1}garbage"));
    Arbitrary<String> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(100)
        .map(b -> new String(b, StandardCharsets.UTF_8));
    Arbitrary<String> mutated = Combinators.combine(json, Arbitraries.doubles().between(0, 1),
        Arbitraries.of("", "\"", "{", "}", ",", ":", "\u0000", "\\", "1", "[")).as((s, at, p) -> {
          int i = (int) (at * s.length());
          return s.substring(0, i) + p + s.substring(i);
        });
    return Arbitraries.oneOf(json, bytes, mutated);
  }

  @Property(tries = 3000)
  void jsonParsesOrIsRefusedTyped(@ForAll("jsonTexts") String json) {
    try {
      check(BridgeStats.fromJson(json));
    } catch (BridgeStatsException e) {
      assertFalse(e.getMessage().isBlank());
    } catch (RuntimeException e) {
      fail("stats JSON " + io.bridgekeeper.routing.internal.Printable.of(json, 200) + " threw " + e, e);
    }
  }

  /** A pool fed believable and unbelievable stats: the bridge stays alive, with its last good stats. */
  @Property(tries = 300)
  void refusedStatsKeepTheBridgeWithItsPreviousStats(@ForAll("reportSequences") List<Map<String, String>> reports) {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    Optional<BridgeStats> lastGood = Optional.empty();
    for (Map<String, String> report : reports) {
      Optional<BridgeStats> parsed;
      try {
        parsed = Optional.of(BridgeStats.parse(report));
        lastGood = parsed;
      } catch (BridgeStatsException e) {
        parsed = Optional.empty(); // what every source does with stats it cannot believe
      }
      clock.advance(java.time.Duration.ofSeconds(5));
      pool.presence("brewery", "jvb", parsed);
      Bridge b = pool.snapshot().bridge("jvb").orElseThrow();
      assertEquals(lastGood, b.stats());
      assertTrue(b.state() != BridgeState.LOST);
    }
  }

  @Example
  void regressionCases() {
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i <= BridgeStats.MAX_STATS; i++) {
      tooMany.put("s" + i, "1");
    }
    assertEquals("*", assertRefused(tooMany).stat());
    assertEquals("stress_level", assertRefused(Map.of("stress_level", "NaN")).stat());
    assertEquals("stress_level", assertRefused(Map.of("stress_level", "1e309")).stat());
    assertEquals("endpoints", assertRefused(Map.of("endpoints", "2147483648")).stat());
    assertEquals("drain", assertRefused(Map.of("drain", "TRUE")).stat());
    Map<String, String> nulls = new LinkedHashMap<>();
    nulls.put("drain", null);
    assertEquals("*", assertRefused(nulls).stat());
    assertEquals("*", org.junit.jupiter.api.Assertions.assertThrows(BridgeStatsException.class,
        () -> BridgeStats.fromJson("[".repeat(3000))).stat());
  }

  private static BridgeStatsException assertRefused(Map<String, String> stats) {
    return org.junit.jupiter.api.Assertions.assertThrows(BridgeStatsException.class, () -> BridgeStats.parse(stats));
  }

  private static void check(BridgeStats s) {
    assertNotNull(s);
    s.stressLevel().ifPresent(d -> assertTrue(Double.isFinite(d) && d >= 0));
    s.averageParticipantStress().ifPresent(d -> assertTrue(Double.isFinite(d) && d >= 0));
    s.participants().ifPresent(n -> assertTrue(n >= 0));
    s.conferences().ifPresent(n -> assertTrue(n >= 0));
    assertTrue(s.raw().size() <= BridgeStats.MAX_STATS);
    // The pool can take it.
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), MutableClock.atEpoch());
    pool.presence("brewery", "jvb", Optional.of(s));
    assertEquals(Optional.of(s), pool.snapshot().bridge("jvb").orElseThrow().stats());
  }
}
