package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GceRetryPolicyTest {
  @Test
  void backoffGrowsToItsCap() {
    GceRetryPolicy p = GceRetryPolicy.defaults();
    assertEquals(Duration.ofSeconds(1), p.backoff(1));
    assertEquals(Duration.ofSeconds(2), p.backoff(2));
    assertEquals(Duration.ofSeconds(16), p.backoff(5));
    assertEquals(Duration.ofSeconds(30), p.backoff(6));
    assertEquals(Duration.ofSeconds(30), p.backoff(1000));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new GceRetryPolicy(0, Duration.ZERO, 1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new GceRetryPolicy(3, Duration.ofSeconds(2), 2, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new GceRetryPolicy(3, Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new GceRetryPolicy(3, Duration.ofSeconds(1), Double.NaN, Duration.ofSeconds(1)));
  }
}
