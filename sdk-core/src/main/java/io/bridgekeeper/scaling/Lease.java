package io.bridgekeeper.scaling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Leadership among autoscaler replicas: at most one holds the lease at a time and only the holder
 * acts. SPI: back it with whatever the replicas share (a database row, a GCS object with
 * preconditions); {@link #inMemory(Clock)} serves replicas in one process and tests.
 */
public interface Lease {
  /**
   * Takes or renews the lease for {@code owner} for {@code ttl}.
   *
   * @return whether {@code owner} holds it now
   */
  boolean tryAcquire(String owner, Duration ttl);

  /** A lease in memory, timed by {@code clock}. Thread-safe. */
  static Lease inMemory(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return new Lease() {
      private String holder;
      private Instant expires = Instant.MIN;

      @Override
      public synchronized boolean tryAcquire(String owner, Duration ttl) {
        Instant now = clock.instant();
        if (holder == null || holder.equals(owner) || !now.isBefore(expires)) {
          holder = owner;
          expires = now.plus(ttl);
          return true;
        }
        return false;
      }
    };
  }
}
