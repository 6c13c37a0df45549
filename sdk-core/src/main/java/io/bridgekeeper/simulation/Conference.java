package io.bridgekeeper.simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One conference of a traffic trace: when it starts, how many participants, how long it lasts.
 *
 * @param id unique within the trace
 * @param start when the first participant joins
 * @param participants participants at its peak (they join at the start, in this model)
 * @param duration how long it lasts
 */
public record Conference(String id, Instant start, int participants, Duration duration) {
  public Conference {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(duration, "duration");
    if (participants < 1) {
      throw new IllegalArgumentException("conference " + id + ": participants must be ≥ 1, was " + participants);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("conference " + id + ": duration must be positive, was " + duration);
    }
  }

  public Instant end() {
    return start.plus(duration);
  }
}
