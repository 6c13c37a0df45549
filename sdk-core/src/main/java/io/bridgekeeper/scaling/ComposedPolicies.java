package io.bridgekeeper.scaling;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Policies built from policies: a policy wraps a policy (Netflix concurrency-limits style). */
final class ComposedPolicies {
  static final Duration MAX_COOLDOWN = Duration.ofDays(1);

  private ComposedPolicies() {}

  /** The decision that takes {@code from} to {@code to}. */
  static ScalingDecision toward(int from, int to, String reason) {
    if (to > from) {
      return new ScalingDecision.ScaleOut(to - from, reason);
    }
    if (to < from) {
      return new ScalingDecision.ScaleIn(from - to, reason);
    }
    return new ScalingDecision.Hold(reason);
  }

  static ScalingPolicy maxOf(List<ScalingPolicy> policies) {
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("maxOf needs at least one policy");
    }
    List<ScalingPolicy> all = List.copyOf(policies);
    return new ScalingPolicy() {
      @Override
      public ScalingDecision decide(ScalingInput in) {
        ScalingDecision best = null;
        int bestDesired = Integer.MIN_VALUE;
        for (ScalingPolicy p : all) {
          // Every policy sees every input: stateful ones keep their history whole.
          ScalingDecision d = p.decide(in);
          int desired = d.apply(in.desired());
          if (desired > bestDesired) {
            best = d;
            bestDesired = desired;
          }
        }
        return best;
      }

      @Override
      public String toString() {
        return "maxOf" + all;
      }
    };
  }

  static ScalingPolicy bounded(ScalingPolicy policy, int min, int max) {
    Objects.requireNonNull(policy, "policy");
    if (min < 0 || max < min) {
      throw new IllegalArgumentException("need 0 ≤ min ≤ max, were " + min + ", " + max);
    }
    return new ScalingPolicy() {
      @Override
      public ScalingDecision decide(ScalingInput in) {
        ScalingDecision d = policy.decide(in);
        int wanted = d.apply(in.desired());
        int clamped = Math.max(min, Math.min(max, wanted));
        return clamped == wanted ? d : toward(in.desired(), clamped, d.reason() + "; bounded to [" + min + ", " + max + "]");
      }

      @Override
      public String toString() {
        return "bounded(" + policy + ", " + min + ", " + max + ")";
      }
    };
  }

  static ScalingPolicy cooldown(ScalingPolicy policy, Duration cooldown) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(cooldown, "cooldown");
    // Longer than a day is a unit mistake (and lastChange + cooldown would overflow at every step).
    if (cooldown.isNegative() || cooldown.compareTo(MAX_COOLDOWN) > 0) {
      throw new IllegalArgumentException("cooldown must be in [0, " + MAX_COOLDOWN + "], was " + cooldown);
    }
    return new ScalingPolicy() {
      @Override
      public ScalingDecision decide(ScalingInput in) {
        ScalingDecision d = policy.decide(in);
        if (!(d instanceof ScalingDecision.Hold) && in.lastChange().isPresent()
            && in.now().isBefore(in.lastChange().get().plus(cooldown))) {
          return new ScalingDecision.Hold("cooling down until " + in.lastChange().get().plus(cooldown)
              + " (wanted: " + d.reason() + ")");
        }
        return d;
      }

      @Override
      public String toString() {
        return "cooldown(" + policy + ", " + cooldown + ")";
      }
    };
  }
}
