package io.bridgekeeper.gcp;

import java.time.Duration;
import java.util.Objects;

/**
 * How a call that failed with a transient error (HTTP 429, 5xx, a timed-out or dropped connection)
 * is tried again: exponential backoff with jitter. A mutation is re-sent with the <em>same</em>
 * {@code requestId}, so GCE applies it once even if the first response was lost.
 *
 * @param maxAttempts attempts in all, ≥ 1 (1: no retry)
 * @param initialBackoff wait before the second attempt
 * @param multiplier growth of the wait per attempt, ≥ 1
 * @param maxBackoff cap of the wait
 */
public record GceRetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
  public GceRetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be ≥ 1, was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 ≤ initialBackoff ≤ maxBackoff, were " + initialBackoff + ", "
          + maxBackoff);
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier must be ≥ 1, was " + multiplier);
    }
  }

  /** 5 attempts, 1 s doubling to at most 30 s: within Compute's per-minute rate-limit windows. */
  public static GceRetryPolicy defaults() {
    return new GceRetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30));
  }

  /** The backoff (before jitter) after failed attempt {@code attempt} (1-based). */
  Duration backoff(int attempt) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 1);
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }
}
