package io.bridgekeeper.bridges;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff: {@code initial} after the first failure, doubling per further failure, never
 * more than {@code max}. Shared by the bridge sources (REST poller, brewery listener).
 */
public record Backoff(Duration initial, Duration max) {
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff must start positive and max ≥ initial, was " + initial + " / " + max);
    }
  }

  /** The wait after {@code failures} consecutive failures (0 → {@code initial}). */
  public Duration after(int failures) {
    Duration d = initial.multipliedBy(1L << Math.min(Math.max(failures, 0), 20));
    return d.compareTo(max) > 0 ? max : d;
  }
}
