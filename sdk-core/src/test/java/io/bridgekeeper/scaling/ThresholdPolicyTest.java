package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.BridgeStats;
import io.bridgekeeper.bridges.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Scripted metric sequences through the threshold policy, each checked against what
 * jitsi-autoscaler's code does with them (src/autoscaler.ts updateDesiredCountIfNeeded,
 * evalScaleConditionForAllPeriods; src/instance_tracker.ts getMetricInventoryPerPeriod,
 * computeSummaryMetric).
 */
class ThresholdPolicyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  // 0.3 / 0.1, 60 s periods, 2 up / 4 down, bounds 1..4, no grace (set per test).
  static final ThresholdOptions OPTIONS = new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2, 4,
      Duration.ZERO, false);

  static Bridge bridge(String id, double stress, Instant reportedAt) {
    return new Bridge(id, BridgeState.HEALTHY,
        Optional.of(BridgeStats.parse(Map.of("stress_level", Double.toString(stress), "drain", "false"))),
        OptionalDouble.of(stress), 0, reportedAt, Set.of("brewery"), false, false);
  }

  /** A bridge that reported drain=true (the autoscaler drained it for scale-in, or an operator did). */
  static Bridge drained(String id, double stress, Instant reportedAt) {
    return new Bridge(id, BridgeState.DRAINING,
        Optional.of(BridgeStats.parse(Map.of("stress_level", Double.toString(stress), "drain", "true"))),
        OptionalDouble.of(stress), 0, reportedAt, Set.of("brewery"), false, false);
  }

  /** Feeds one report per bridge per minute (values[minute][bridge]) and decides at the end. */
  static ScalingDecision run(ScalingPolicy policy, double[][] values, int desired, int actual) {
    ScalingDecision last = null;
    for (int minute = 0; minute < values.length; minute++) {
      Instant now = T0.plusSeconds(60L * minute + 30);
      List<Bridge> bridges = new ArrayList<>();
      for (int b = 0; b < values[minute].length; b++) {
        if (!Double.isNaN(values[minute][b])) {
          bridges.add(bridge("jvb" + b, values[minute][b], now));
        }
      }
      last = policy.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, desired, actual, Optional.empty()));
    }
    return last;
  }

  @Test
  void scalesUpWhenEveryRecentPeriodIsAtOrAboveTheThreshold() {
    ScalingDecision d = run(ScalingPolicy.threshold(OPTIONS), new double[][] {{0.5, 0.1}, {0.3, 0.3}, {0.4, 0.2}}, 2, 2);
    assertEquals(1, ((ScalingDecision.ScaleOut) d).by(), d.reason());
    // The last period's average is 0.3 (0.4, 0.2) and the one before 0.3: ≥ holds.
    ScalingDecision no = run(ScalingPolicy.threshold(OPTIONS), new double[][] {{0.5, 0.5}, {0.2, 0.3}, {0.5, 0.5}}, 2, 2);
    assertInstanceOf(ScalingDecision.Hold.class, no, "one of the last two periods averaged 0.25");
  }

  @Test
  void scalesDownOnlyWhenEveryRecentPeriodIsBelowTheThreshold() {
    double[][] quiet = {{0.05, 0.05}, {0.05, 0.09}, {0.0, 0.05}, {0.01, 0.02}};
    assertEquals(new ScalingDecision.ScaleIn(1, ""), stripReason(run(ScalingPolicy.threshold(OPTIONS), quiet, 2, 2)));
    double[][] oneBusy = {{0.05, 0.05}, {0.05, 0.35}, {0.0, 0.05}, {0.01, 0.02}};
    assertInstanceOf(ScalingDecision.Hold.class, run(ScalingPolicy.threshold(OPTIONS), oneBusy, 2, 2));
    assertInstanceOf(ScalingDecision.Hold.class, run(ScalingPolicy.threshold(OPTIONS), quiet, 1, 1), "at the minimum");
  }

  @Test
  void quantitiesAreCappedByTheBounds() {
    ThresholdOptions big = new ThresholdOptions(1, 4, 3, 3, 0.3, 0.1, Duration.ofSeconds(60), 2, 4, Duration.ZERO, false);
    assertEquals(1, ((ScalingDecision.ScaleOut) run(ScalingPolicy.threshold(big), new double[][] {{0.9}, {0.9}}, 3, 3)).by());
    assertEquals(2, ((ScalingDecision.ScaleIn) run(ScalingPolicy.threshold(big),
        new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}, 3, 3)).by());
    // Below the minimum it scales up whatever the stress (count < minDesired).
    ThresholdOptions min3 = new ThresholdOptions(3, 6, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2, 4, Duration.ZERO, false);
    assertInstanceOf(ScalingDecision.ScaleOut.class, run(ScalingPolicy.threshold(min3), new double[][] {{0}, {0}}, 2, 2));
  }

  @Test
  void noDecisionInTheGracePeriodWithoutBridgesOrBeforeConvergence() {
    ScalingPolicy p = ScalingPolicy.threshold(OPTIONS);
    assertTrue(run(p, new double[][] {{0.9}, {0.9}}, 2, 1).reason().contains("converge"));
    assertTrue(run(ScalingPolicy.threshold(OPTIONS), new double[][] {{0.9}, {0.9}}, 0, 0).reason().contains("no bridges"));
    ThresholdOptions graceful = new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2, 4,
        Duration.ofSeconds(600), false);
    Instant now = T0.plusSeconds(90);
    ScalingDecision d = ScalingPolicy.threshold(graceful).decide(new ScalingInput(new PoolSnapshot(now,
        List.of(bridge("jvb0", 0.9, now))), now, 1, 1, Optional.of(now.minusSeconds(599))));
    assertTrue(d.reason().contains("grace"), d.reason());
  }

  @Test
  void missingPeriodsAreUnknownUnlessAskedToReadThemAsZero() {
    // Minutes 1 and 2 have no reports at all: jitsi-autoscaler reads them as stress 0.
    double nan = Double.NaN;
    double[][] gap = {{0.05}, {nan}, {nan}, {0.05}};
    assertInstanceOf(ScalingDecision.Hold.class, run(ScalingPolicy.threshold(OPTIONS), gap, 2, 2));
    assertInstanceOf(ScalingDecision.ScaleIn.class,
        run(ScalingPolicy.threshold(OPTIONS.withEmptyPeriodsAreZero(true)), gap, 2, 2),
        "jitsi-autoscaler's exact reading scales in on missing data");
  }

  @Test
  void aSinglePeriodGapIsFilledFromTheOlderPeriod() {
    // jvb1 misses minute 2 but reported in minutes 1 and 3: its minute-1 value fills the gap, so
    // the average of period 1 (minute 2) is (0.5 + 0.1) / 2 = 0.3, not 0.5.
    double nan = Double.NaN;
    double[][] values = {{0.5, 0.1}, {0.5, nan}, {0.5, 0.1}};
    ScalingDecision d = run(ScalingPolicy.threshold(OPTIONS), values, 2, 2);
    assertTrue(d.reason().contains("0.300, 0.300"), d.reason());
    // Without the filling period 1 would be 0.5 and the newest 0.3: still a scale-up either way,
    // so check the reported averages rather than the decision.
  }

  @Test
  void bridgesBeingDrainedAreNotSampled() {
    // jitsi-autoscaler stores no metric for an instance it is shutting down (src/handlers.ts
    // sidecarStatus → instance_tracker.ts track(..., shutdownStatus)); a drained bridge is not in
    // 'actual' either. The three serving bridges average 0.37 ≥ 0.3: scale up, whatever the drained do.
    ScalingPolicy p = ScalingPolicy.threshold(OPTIONS);
    ScalingDecision d = null;
    for (int minute = 0; minute < 3; minute++) {
      Instant now = T0.plusSeconds(60L * minute + 30);
      // jvb2 does not report the drain flag at all (an older videobridge): it serves, and counts.
      Bridge noFlag = new Bridge("jvb2", BridgeState.DRAINING, Optional.of(BridgeStats.parse(Map.of("stress_level",
          "0.41"))), OptionalDouble.of(0.41), 0, now, Set.of("brewery"), false, false);
      List<Bridge> bridges = List.of(bridge("jvb0", 0.35, now), bridge("jvb1", 0.35, now), noFlag,
          drained("jvb8", 0.02, now), drained("jvb9", 0.02, now));
      d = p.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, 3, 3, Optional.empty()));
    }
    assertInstanceOf(ScalingDecision.ScaleOut.class, d, d.reason());
    assertTrue(d.reason().contains("0.370, 0.370"), d.reason());
  }

  @Test
  void staleStatsAreNotSampledAgain() {
    // One stress report, then presences whose stats could not be believed: the bridge stays alive
    // (lastPresence moves on) with its old stats (statsAt does not). jitsi-autoscaler stores a
    // sample only when a report carries a stress (instance_tracker.ts track): one sample, not one
    // per presence, so four quiet periods cannot be shown and nothing scales in.
    ScalingPolicy p = ScalingPolicy.threshold(OPTIONS);
    Instant statsAt = T0.plusSeconds(30);
    ScalingDecision d = null;
    for (int minute = 0; minute < 5; minute++) {
      Instant now = T0.plusSeconds(60L * minute + 30);
      List<Bridge> bridges = new ArrayList<>();
      for (String id : List.of("jvb0", "jvb1")) {
        bridges.add(new Bridge(id, BridgeState.HEALTHY,
            Optional.of(BridgeStats.parse(Map.of("stress_level", "0.02", "drain", "false"))), OptionalDouble.of(0.02),
            0, now, Optional.of(statsAt), Set.of("brewery"), false, false));
      }
      d = p.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, 2, 2, Optional.empty()));
    }
    assertInstanceOf(ScalingDecision.Hold.class, d, d.reason());
    assertTrue(d.reason().contains("[–, –, –, –]"), d.reason());
  }

  @Test
  void aScaleUpQuantityNearIntMaxIsCappedNotOverflowed() {
    ThresholdOptions huge = new ThresholdOptions(1, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0.3, 0.1,
        Duration.ofSeconds(60), 2, 4, Duration.ZERO, false);
    ScalingDecision d = run(ScalingPolicy.threshold(huge), new double[][] {{0.9, 0.9}, {0.9, 0.9}}, 2, 2);
    assertEquals(Integer.MAX_VALUE - 2, ((ScalingDecision.ScaleOut) d).by(), d.reason());
  }

  @Test
  void periodsAndDurationsThatCannotBeEvaluatedAreRefusedNamingTheField() {
    // Each would be accepted and then throw (overflow) or allocate billions of periods at every decision.
    Map<String, Runnable> bad = new LinkedHashMap<>();
    bad.put("scalePeriod", () -> new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(Integer.MAX_VALUE), 2,
        4, Duration.ZERO, false));
    bad.put("scalePeriod ", () -> new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofMillis(999), 2, 4,
        Duration.ZERO, false));
    bad.put("scaleDownPeriodsCount", () -> new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2,
        Integer.MAX_VALUE, Duration.ZERO, false));
    bad.put("scaleUpPeriodsCount", () -> new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 0, 4,
        Duration.ZERO, false));
    bad.put("gracePeriod", () -> new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2, 4,
        Duration.ofSeconds(Long.MAX_VALUE), false));
    bad.forEach((field, build) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run, field);
      assertTrue(e.getMessage().contains(field.strip()), e.getMessage());
    });
    // The largest accepted window still decides.
    ThresholdOptions longest = new ThresholdOptions(1, 4, 1, 1, 0.3, 0.1, Duration.ofMinutes(1),
        ThresholdOptions.MAX_PERIODS_COUNT, ThresholdOptions.MAX_PERIODS_COUNT, ThresholdOptions.MAX_DURATION, false);
    Instant now = T0.plusSeconds(30);
    ScalingPolicy.threshold(longest).decide(new ScalingInput(new PoolSnapshot(now, List.of(bridge("jvb0", 0.5, now))),
        now, 1, 1, Optional.of(now)));
  }

  /**
   * Any options the record accepts decide without throwing, and a decision stays within the bounds
   * (it moves toward them from outside, never past them), however large the quantities.
   */
  @Property(tries = 300)
  void decisionsNeverThrowAndStayWithinTheBounds(@ForAll @IntRange(min = 0, max = 5) int min,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int span, @ForAll("quantity") int up,
      @ForAll("quantity") int down, @ForAll @IntRange(min = 1, max = 600) int periodSeconds,
      @ForAll @IntRange(min = 1, max = 12) int upCount, @ForAll @IntRange(min = 1, max = 12) int downCount,
      @ForAll @IntRange(min = 0, max = 20) int desired,
      @ForAll @Size(min = 1, max = 30) List<@DoubleRange(min = 0, max = 2) Double> stress) {
    int max = (int) Math.min(Integer.MAX_VALUE, (long) min + span);
    ThresholdOptions o = new ThresholdOptions(min, max, up, down, 0.3, 0.1, Duration.ofSeconds(periodSeconds),
        upCount, downCount, Duration.ZERO, false);
    ScalingPolicy p = ScalingPolicy.threshold(o);
    for (int i = 0; i < stress.size(); i++) {
      Instant now = T0.plusSeconds(30L * i);
      ScalingDecision d = p.decide(new ScalingInput(new PoolSnapshot(now, List.of(bridge("jvb0", stress.get(i), now))),
          now, desired, desired, Optional.empty()));
      int next = d.apply(desired);
      if (d instanceof ScalingDecision.ScaleOut) {
        assertTrue(next > desired && next <= max, d + " from " + desired + " with max " + max);
      } else if (d instanceof ScalingDecision.ScaleIn) {
        assertTrue(next < desired && next >= min, d + " from " + desired + " with min " + min);
      }
    }
  }

  @Provide
  Arbitrary<Integer> quantity() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 5),
        Arbitraries.integers().between(Integer.MAX_VALUE - 25, Integer.MAX_VALUE));
  }

  static ScalingDecision stripReason(ScalingDecision d) {
    if (d instanceof ScalingDecision.ScaleIn in) {
      return new ScalingDecision.ScaleIn(in.by(), "");
    }
    return d;
  }
}
