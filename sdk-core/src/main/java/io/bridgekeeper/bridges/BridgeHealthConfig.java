package io.bridgekeeper.bridges;

import java.time.Duration;
import java.util.Objects;

/**
 * The numbers of the bridge health model. Defaults are jicofo's
 * ({@code jitsi/jicofo:jicofo-selector/src/main/resources/reference.conf}, {@code jicofo.bridge}).
 *
 * @param presenceTimeout a bridge whose last presence is older is LOST (45 s)
 * @param failureResetThreshold a failed health check keeps a bridge UNHEALTHY this long (1 min)
 * @param participantRampUp participants added within this window count towards corrected stress (20 s)
 * @param stressThreshold corrected stress at or above this is OVERLOADED (0.8)
 * @param averageParticipantStress stress per added participant when the bridge reports none (0.01)
 * @param forgetLostAfter a LOST bridge that never left its brewery is removed after this (10 min)
 * @param presenceHealth whether {@code healthy=false} in stats counts as a failed health check
 *     (jicofo's {@code use-presence}; on by default here, where there are no IQ health checks)
 */
public record BridgeHealthConfig(
    Duration presenceTimeout,
    Duration failureResetThreshold,
    Duration participantRampUp,
    double stressThreshold,
    double averageParticipantStress,
    Duration forgetLostAfter,
    boolean presenceHealth) {

  public BridgeHealthConfig {
    positive("presenceTimeout", presenceTimeout);
    positive("failureResetThreshold", failureResetThreshold);
    positive("participantRampUp", participantRampUp);
    positive("forgetLostAfter", forgetLostAfter);
    if (!(stressThreshold > 0) || Double.isInfinite(stressThreshold)) {
      throw new IllegalArgumentException("stressThreshold must be a positive number, was " + stressThreshold);
    }
    if (!(averageParticipantStress >= 0) || Double.isInfinite(averageParticipantStress)) {
      throw new IllegalArgumentException("averageParticipantStress must be ≥ 0, was " + averageParticipantStress);
    }
  }

  /** jicofo's defaults. */
  public static BridgeHealthConfig defaults() {
    return new BridgeHealthConfig(Duration.ofSeconds(45), Duration.ofMinutes(1), Duration.ofSeconds(20), 0.8, 0.01,
        Duration.ofMinutes(10), true);
  }

  public BridgeHealthConfig withPresenceTimeout(Duration d) {
    return new BridgeHealthConfig(d, failureResetThreshold, participantRampUp, stressThreshold,
        averageParticipantStress, forgetLostAfter, presenceHealth);
  }

  public BridgeHealthConfig withStressThreshold(double t) {
    return new BridgeHealthConfig(presenceTimeout, failureResetThreshold, participantRampUp, t,
        averageParticipantStress, forgetLostAfter, presenceHealth);
  }

  private static void positive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
  }
}
