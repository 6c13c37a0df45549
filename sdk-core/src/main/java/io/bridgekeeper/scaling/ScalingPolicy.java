package io.bridgekeeper.scaling;

/**
 * Decides how many videobridges should run. Small and composable: an input in, a closed
 * {@link ScalingDecision} out. Policies that keep history (the threshold policy keeps its metric
 * samples) are thread-safe; call {@link #decide} from one reconcile loop.
 */
@FunctionalInterface
public interface ScalingPolicy {
  ScalingDecision decide(ScalingInput input);

  /** jitsi-autoscaler's algorithm ({@code src/autoscaler.ts}, {@code src/instance_tracker.ts}). */
  static ScalingPolicy threshold(ThresholdOptions options) {
    return new ThresholdPolicy(options);
  }

  /** Desired = bridges needed at a target stress; fast out, stabilised in, tolerance band, rate limits. */
  static ScalingPolicy targetTracking(TargetTrackingPolicy.Options options) {
    return new TargetTrackingPolicy(options);
  }

  /** Time-of-day / day-of-week floors in a time zone: scales out to the floor, never in. */
  static ScalingPolicy schedule(java.time.ZoneId zone, java.util.List<SchedulePolicy.Floor> floors) {
    return new SchedulePolicy(zone, floors);
  }

  /** The largest desired count any of {@code policies} asks for (each is asked every time). */
  static ScalingPolicy maxOf(ScalingPolicy... policies) {
    return ComposedPolicies.maxOf(java.util.List.of(policies));
  }

  /** {@code policy}, with its result clamped to [{@code min}, {@code max}]. */
  static ScalingPolicy bounded(ScalingPolicy policy, int min, int max) {
    return ComposedPolicies.bounded(policy, min, max);
  }

  /**
   * {@code policy}, holding for {@code cooldown} after the last change of the desired count.
   *
   * @throws IllegalArgumentException if {@code cooldown} is negative or longer than a day
   */
  static ScalingPolicy cooldown(ScalingPolicy policy, java.time.Duration cooldown) {
    return ComposedPolicies.cooldown(policy, cooldown);
  }
}
