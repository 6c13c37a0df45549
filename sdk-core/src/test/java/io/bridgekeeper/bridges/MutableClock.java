package io.bridgekeeper.bridges;

import io.bridgekeeper.simulation.SimulatedClock;
import java.time.Instant;

/** The tests' clock: time passes only when a test says so. */
public final class MutableClock extends SimulatedClock {
  public MutableClock(Instant start) {
    super(start);
  }

  public static MutableClock atEpoch() {
    return new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  }
}
