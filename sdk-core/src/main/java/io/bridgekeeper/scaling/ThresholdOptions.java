package io.bridgekeeper.scaling;

import java.time.Duration;
import java.util.Objects;

/**
 * The numbers of jitsi-autoscaler's group ({@code jitsi/jitsi-autoscaler:src/instance_store.ts
 * ScalingOptions}, plus {@code gracePeriodTTLSec}).
 *
 * @param minDesired lower bound of the desired count
 * @param maxDesired upper bound of the desired count
 * @param scaleUpQuantity bridges added per scale-up
 * @param scaleDownQuantity bridges removed per scale-down
 * @param scaleUpThreshold average stress at or above which a period counts for scaling up
 * @param scaleDownThreshold average stress below which a period counts for scaling down
 * @param scalePeriod length of one evaluation period, from 1 s to {@link #MAX_DURATION}
 * @param scaleUpPeriodsCount most recent periods that must all count for scaling up (at most
 *     {@link #MAX_PERIODS_COUNT}, and {@link #MAX_DURATION} of periods)
 * @param scaleDownPeriodsCount most recent periods that must all count for scaling down (bounded
 *     as the up count)
 * @param gracePeriod no decision within this time after any change of the desired count (at most
 *     {@link #MAX_DURATION})
 * @param emptyPeriodsAreZero jitsi-autoscaler reads a period without samples as stress 0, which
 *     can scale down on missing data; false (the default here) reads it as unknown: it blocks both
 *     directions, as it cannot show the condition held
 */
public record ThresholdOptions(
    int minDesired,
    int maxDesired,
    int scaleUpQuantity,
    int scaleDownQuantity,
    double scaleUpThreshold,
    double scaleDownThreshold,
    Duration scalePeriod,
    int scaleUpPeriodsCount,
    int scaleDownPeriodsCount,
    Duration gracePeriod,
    boolean emptyPeriodsAreZero) {

  /** The longest {@code scalePeriod}, {@code gracePeriod} and window (period × count) accepted: a day. */
  public static final Duration MAX_DURATION = Duration.ofDays(1);
  /** The most periods a decision may look back over: a day of one-minute periods. */
  public static final int MAX_PERIODS_COUNT = 1440;

  public ThresholdOptions {
    if (minDesired < 0 || maxDesired < minDesired) {
      throw new IllegalArgumentException("need 0 ≤ minDesired ≤ maxDesired, were " + minDesired + ", " + maxDesired);
    }
    if (scaleUpQuantity < 1 || scaleDownQuantity < 1) {
      throw new IllegalArgumentException("scale quantities must be ≥ 1");
    }
    if (!(scaleDownThreshold >= 0) || !(scaleUpThreshold > scaleDownThreshold)) {
      throw new IllegalArgumentException("need 0 ≤ scaleDownThreshold < scaleUpThreshold, were "
          + scaleDownThreshold + ", " + scaleUpThreshold);
    }
    Objects.requireNonNull(scalePeriod, "scalePeriod");
    // Whole seconds upward, as jitsi-autoscaler's scalePeriod: bucketing divides by the period in
    // milliseconds, and a decision every few seconds cannot fill sub-second periods anyway.
    if (scalePeriod.compareTo(Duration.ofSeconds(1)) < 0 || scalePeriod.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("scalePeriod must be in [1 s, " + MAX_DURATION + "], was " + scalePeriod);
    }
    // Bounded so a decision never walks (or allocates) billions of periods, nor overflows the
    // window's arithmetic: a day back is already far past jitsi-autoscaler's metric TTL (1 h).
    periodsCount("scaleUpPeriodsCount", scaleUpPeriodsCount, scalePeriod);
    periodsCount("scaleDownPeriodsCount", scaleDownPeriodsCount, scalePeriod);
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative() || gracePeriod.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("gracePeriod must be in [0, " + MAX_DURATION + "], was " + gracePeriod);
    }
  }

  private static void periodsCount(String field, int count, Duration scalePeriod) {
    if (count < 1 || count > MAX_PERIODS_COUNT) {
      throw new IllegalArgumentException(field + " must be in [1, " + MAX_PERIODS_COUNT + "], was " + count);
    }
    if (scalePeriod.multipliedBy(count).compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(field + " × scalePeriod must be at most " + MAX_DURATION + ", was " + count
          + " × " + scalePeriod);
    }
  }

  /**
   * Jitsi's production JVB values ({@code jitsi/infra-provisioning:scripts/create-jvb-pool.sh}):
   * 0.3 / 0.1, 60 s periods, 2 up / 10 down, steps of 1, grace 600 s; bounds are the caller's.
   */
  public static ThresholdOptions jitsiProductionJvb(int minDesired, int maxDesired) {
    return new ThresholdOptions(minDesired, maxDesired, 1, 1, 0.3, 0.1, Duration.ofSeconds(60), 2, 10,
        Duration.ofSeconds(600), false);
  }

  /** The same options with jitsi-autoscaler's reading of empty periods (stress 0) on or off. */
  public ThresholdOptions withEmptyPeriodsAreZero(boolean zero) {
    return new ThresholdOptions(minDesired, maxDesired, scaleUpQuantity, scaleDownQuantity, scaleUpThreshold,
        scaleDownThreshold, scalePeriod, scaleUpPeriodsCount, scaleDownPeriodsCount, gracePeriod, zero);
  }

  int periodsKept() {
    return Math.max(scaleUpPeriodsCount, scaleDownPeriodsCount);
  }
}
