package io.bridgekeeper.bridges;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The facts the pool holds about one bridge, and the state they mean at an instant. Not
 * thread-safe: {@link BridgePool} guards every record with its lock.
 */
final class BridgeRecord {
  /** Participants added at one instant, for the ramp-up window. */
  private record Added(Instant at, int count) {}

  final String id;
  final Set<String> sources = new LinkedHashSet<>();
  private final BridgeHealthConfig config;
  private Instant lastPresence;
  private Optional<BridgeStats> stats = Optional.empty();
  private boolean gracefulShutdown;
  private boolean shuttingDown;
  private Instant lastFailure;
  private boolean checksPassing = true;
  private final ArrayDeque<Added> added = new ArrayDeque<>();
  BridgeState state;

  BridgeRecord(String id, BridgeHealthConfig config, Instant now) {
    this.id = id;
    this.config = config;
    this.lastPresence = now;
    this.state = BridgeState.STARTING;
  }

  void presence(String source, Optional<BridgeStats> newStats, Instant now) {
    sources.add(source);
    lastPresence = now;
    newStats.ifPresent(s -> {
      stats = Optional.of(s);
      // jicofo latches both: a bridge never comes back from shutting down.
      gracefulShutdown |= s.gracefulShutdown();
      shuttingDown |= s.shuttingDown();
      if (config.presenceHealth()) {
        s.healthy().ifPresent(ok -> healthCheck(ok ? HealthCheck.PASSED : HealthCheck.FAILED, now));
      }
    });
  }

  void healthCheck(HealthCheck result, Instant now) {
    if (result == HealthCheck.PASSED) {
      checksPassing = true;
    } else {
      checksPassing = false;
      lastFailure = now;
    }
  }

  void participantsAdded(int count, Instant now) {
    added.addLast(new Added(now, count));
    prune(now);
  }

  /** The state the facts mean at {@code now}; precedence as documented on {@link BridgeState}. */
  BridgeState stateAt(Instant now) {
    if (Duration.between(lastPresence, now).compareTo(config.presenceTimeout()) > 0) {
      return BridgeState.LOST;
    }
    if (shuttingDown) {
      return BridgeState.SHUTTING_DOWN;
    }
    // jicofo Bridge.isOperational: false while the last failure is recent, then whatever the
    // checks say (a passing check resets it).
    boolean recentFailure = lastFailure != null
        && Duration.between(lastFailure, now).compareTo(config.failureResetThreshold()) < 0;
    if (recentFailure || !checksPassing) {
      return BridgeState.UNHEALTHY;
    }
    if (gracefulShutdown) {
      return BridgeState.GRACEFUL_SHUTDOWN;
    }
    if (stats.isEmpty()) {
      return BridgeState.STARTING;
    }
    if (stats.get().drain().orElse(true)) {
      return BridgeState.DRAINING;
    }
    OptionalDouble corrected = correctedStress(now);
    if (corrected.isPresent() && corrected.getAsDouble() >= config.stressThreshold()) {
      return BridgeState.OVERLOADED;
    }
    return BridgeState.HEALTHY;
  }

  /** Reported stress plus the participants added within the ramp-up window times their stress. */
  OptionalDouble correctedStress(Instant now) {
    if (stats.isEmpty() || stats.get().stressLevel().isEmpty()) {
      return OptionalDouble.empty();
    }
    double perParticipant = stats.get().averageParticipantStress().orElse(config.averageParticipantStress());
    return OptionalDouble.of(stats.get().stressLevel().getAsDouble() + recentlyAdded(now) * perParticipant);
  }

  int recentlyAdded(Instant now) {
    prune(now);
    int n = 0;
    for (Added a : added) {
      if (!a.at.isAfter(now)) {
        n += a.count;
      }
    }
    return n;
  }

  private void prune(Instant now) {
    Instant cutoff = now.minus(config.participantRampUp());
    while (!added.isEmpty() && !added.peekFirst().at.isAfter(cutoff)) {
      added.pollFirst();
    }
  }

  boolean forgettable(Instant now) {
    return Duration.between(lastPresence, now).compareTo(config.presenceTimeout().plus(config.forgetLostAfter())) > 0;
  }

  Bridge view(BridgeState at, Instant now) {
    return new Bridge(id, at, stats, correctedStress(now), recentlyAdded(now), lastPresence, sources,
        gracefulShutdown, shuttingDown);
  }
}
