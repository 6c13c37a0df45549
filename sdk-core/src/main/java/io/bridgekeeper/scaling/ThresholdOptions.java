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
 * @param scalePeriod length of one evaluation period
 * @param scaleUpPeriodsCount most recent periods that must all count for scaling up
 * @param scaleDownPeriodsCount most recent periods that must all count for scaling down
 * @param gracePeriod no decision within this time after any change of the desired count
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
    if (scalePeriod.isNegative() || scalePeriod.isZero()) {
      throw new IllegalArgumentException("scalePeriod must be positive");
    }
    if (scaleUpPeriodsCount < 1 || scaleDownPeriodsCount < 1) {
      throw new IllegalArgumentException("period counts must be ≥ 1");
    }
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative()) {
      throw new IllegalArgumentException("gracePeriod must be ≥ 0");
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
