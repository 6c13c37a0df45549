package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bridgekeeper.bridges.PoolSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reliability fuzzing of jitsi-autoscaler group definitions: every field replaced by a hostile
 * value, the text mutated, random bytes. The outcome is a usable group (its options build a
 * threshold policy, its durations are not negative) or an {@link JitsiGroupConfig.InvalidGroupConfigException}
 * naming the problem.
 */
class JitsiGroupConfigFuzzProperties {
  private static final String GROUP = JitsiGroupConfigTest.JVB_GROUP;
  private static final List<String> FIELDS = List.of("\"name\": \"meet-jit-si-us-east-1-jvb\"", "\"type\": \"JVB\"",
      "\"gracePeriodTTLSec\": 600", "\"protectedTTLSec\": 900", "\"minDesired\": 1", "\"maxDesired\": 8",
      "\"desiredCount\": 2", "\"scaleUpQuantity\": 1", "\"scaleDownQuantity\": 1", "\"scaleUpThreshold\": 0.3",
      "\"scaleDownThreshold\": 0.1", "\"scalePeriod\": 60", "\"scaleUpPeriodsCount\": 2",
      "\"scaleDownPeriodsCount\": 10", "\"enableAutoScale\": true", "\"enableLaunch\": true");

  @Provide
  Arbitrary<String> hostileGroups() {
    Arbitrary<String> value = Arbitraries.of("null", "0", "-1", "1", "-600", "2147483647", "2147483648",
        "-2147483648", "9223372036854775807", "99999999999999999999", "1e400", "-1e400", "1.5", "0.0", "-0.0",
        "1e-400", "true", "false", "86400", "86401", "1440", "1441", "\"\"", "\" \"", "\"JVB\"", "\"jvb\"",
        "\"jibri\"", "[]", "{}", "\"60\"",
        "\"a\\u0000b\"", "\"\\ud800\"");
    Arbitrary<Integer> field = Arbitraries.integers().between(0, FIELDS.size() - 1);
    Arbitrary<String> edited = Combinators.combine(field, value).as((f, v) -> {
      String original = FIELDS.get(f);
      return original.substring(0, original.indexOf(':') + 1) + " " + v;
    }).list().ofMinSize(1).ofMaxSize(4).map(edits -> {
      String g = GROUP;
      for (String e : edits) {
        String key = e.substring(0, e.indexOf(':'));
        String original = FIELDS.stream().filter(x -> x.startsWith(key)).findFirst().orElseThrow();
        g = g.replace(original, e);
      }
      return g;
    });
    Arbitrary<String> dropped = field.map(f -> GROUP.replace(FIELDS.get(f) + ",", "").replace(FIELDS.get(f), ""));
    return Arbitraries.oneOf(edited, dropped);
  }

  @Provide
  Arbitrary<String> mutatedTexts() {
    Arbitrary<String> piece = Arbitraries.of("", "\"", "{", "}", "[", "]", ",", ":", "\u0000", "\\", "-", "e9", "\ud800",
        "/*", "NaN", "'");
    Arbitrary<String> mutated = Combinators.combine(Arbitraries.doubles().between(0, 1), piece,
        Arbitraries.integers().between(0, 10)).as((at, p, cut) -> {
          int i = (int) (at * GROUP.length());
          return GROUP.substring(0, i) + p + GROUP.substring(Math.min(GROUP.length(), i + cut));
        });
    Arbitrary<String> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .map(b -> new String(b, StandardCharsets.UTF_8));
    return Arbitraries.oneOf(mutated, bytes, Arbitraries.of("", " ", "null", "{\"a\":" .repeat(3000), "[".repeat(3000)));
  }

  @Property(tries = 2000)
  void hostileFieldsGiveAGroupOrANamedError(@ForAll("hostileGroups") String json) {
    check(json);
  }

  @Property(tries = 2000)
  void mutatedTextGivesAGroupOrATypedError(@ForAll("mutatedTexts") String json) {
    check(json);
  }

  @Example
  void regressionCases() {
    // An hour-long period counted two billion times parsed, then every decision overflowed.
    JitsiGroupConfig.InvalidGroupConfigException window = assertThrows(
        JitsiGroupConfig.InvalidGroupConfigException.class, () -> JitsiGroupConfig.parse(GROUP
            .replace("\"scalePeriod\": 60", "\"scalePeriod\": 3600")
            .replace("\"scaleDownPeriodsCount\": 10", "\"scaleDownPeriodsCount\": 2147483647")));
    assertTrue(window.getMessage().contains("scaleDownPeriodsCount"), window.getMessage());
    // A negative protectedTTLSec was accepted as a negative launch protection.
    JitsiGroupConfig.InvalidGroupConfigException e = assertThrows(JitsiGroupConfig.InvalidGroupConfigException.class,
        () -> JitsiGroupConfig.parse(GROUP.replace("\"protectedTTLSec\": 900", "\"protectedTTLSec\": -1")));
    assertTrue(e.getMessage().contains("protectedTTLSec"), e.getMessage());
    // 1e400 read as Infinity was accepted: a scale-up threshold nothing ever reaches.
    e = assertThrows(JitsiGroupConfig.InvalidGroupConfigException.class,
        () -> JitsiGroupConfig.parse(GROUP.replace("\"scaleUpThreshold\": 0.3", "\"scaleUpThreshold\": 1e400")));
    assertTrue(e.getMessage().contains("scaleUpThreshold"), e.getMessage());
    // null text: NullPointerException naming the argument, as everywhere in the SDK (was Jackson's own message).
    NullPointerException npe = assertThrows(NullPointerException.class, () -> JitsiGroupConfig.parse(null));
    assertEquals("json", npe.getMessage());
    assertEquals(JitsiGroupConfig.parse(GROUP), JitsiGroupConfig.parse(GROUP));
  }

  private static void check(String json) {
    JitsiGroupConfig g;
    try {
      g = JitsiGroupConfig.parse(json);
    } catch (JitsiGroupConfig.InvalidGroupConfigException e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank());
      return;
    } catch (RuntimeException | StackOverflowError e) {
      fail("group " + io.bridgekeeper.routing.internal.Printable.of(json, 300) + " threw " + e, e);
      return;
    }
    assertFalse(g.protectedTtl().isNegative(), () -> "negative protectedTTLSec accepted: " + g);
    assertFalse(g.options().gracePeriod().isNegative());
    assertTrue(g.desiredCount() >= g.options().minDesired() && g.desiredCount() <= g.options().maxDesired());
    assertTrue(Double.isFinite(g.options().scaleUpThreshold()), () -> "infinite threshold accepted: " + g);
    // Usable means it decides: groups that parsed and then overflowed (or allocated two billion
    // periods) at every decision were accepted before.
    ScalingPolicy p = ScalingPolicy.threshold(g.options());
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 3; i++) {
      Instant at = now.plusSeconds(30L * i);
      PoolSnapshot pool = new PoolSnapshot(at, List.of(ThresholdPolicyTest.bridge("jvb0", 0.5, at),
          ThresholdPolicyTest.bridge("jvb1", 0.05, at)));
      // The first decision falls in the grace period; the others reach the periods.
      p.decide(new ScalingInput(pool, at, g.desiredCount(), g.desiredCount(), i == 0 ? Optional.of(at) : Optional.empty()));
    }
  }
}
