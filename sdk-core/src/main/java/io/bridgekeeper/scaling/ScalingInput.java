package io.bridgekeeper.scaling;

import io.bridgekeeper.bridges.PoolSnapshot;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a policy decides from: the bridges now and the group's counts.
 *
 * @param pool the bridge pool at {@code now}
 * @param now the decision time (the injected clock's)
 * @param desired the bridge count the group is converging to
 * @param actual the bridges the group has now, starting ones included
 * @param lastChange when the desired count last changed, if ever
 */
public record ScalingInput(PoolSnapshot pool, Instant now, int desired, int actual, Optional<Instant> lastChange) {
  public ScalingInput {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lastChange, "lastChange");
    if (desired < 0 || actual < 0) {
      throw new IllegalArgumentException("counts must be ≥ 0, were desired " + desired + ", actual " + actual);
    }
  }
}
