package io.bridgekeeper.bridges;

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
  private final Set<String> sources = new LinkedHashSet<>();
  /** An immutable copy of sources for views, replaced only when the set changes. */
  private Set<String> sourcesView = Set.of();
  private final BridgeHealthConfig config;
  private Instant lastPresence;
  /** lastPresence + the presence timeout: LOST after it (kept, not recomputed per state query). */
  private Instant lostAfter;
  private Optional<BridgeStats> stats = Optional.empty();
  /** When stats last arrived; empty until they do. */
  private Optional<Instant> statsAt = Optional.empty();
  private boolean gracefulShutdown;
  private boolean shuttingDown;
  private Instant lastFailure;
  /** lastFailure + the failure reset threshold: a failure is recent before it. */
  private Instant failureRecentUntil;
  private boolean checksPassing = true;
  private final ArrayDeque<Added> added = new ArrayDeque<>();
  BridgeState state;
  /** The last view, valid from cachedAt until cachedUntil (exclusive) unless a fact changes. */
  private Bridge cachedView;
  private Instant cachedAt;
  private Instant cachedUntil;

  BridgeRecord(String id, BridgeHealthConfig config, Instant now) {
    this.id = id;
    this.config = config;
    this.lastPresence = now;
    this.lostAfter = now.plus(config.presenceTimeout());
    this.state = BridgeState.STARTING;
  }

  void presence(String source, Optional<BridgeStats> newStats, Instant now) {
    cachedView = null;
    if (sources.add(source)) {
      sourcesView = Set.copyOf(sources);
    }
    if (!now.equals(lastPresence)) {
      lastPresence = now;
      lostAfter = now.plus(config.presenceTimeout());
    }
    newStats.ifPresent(s -> {
      stats = newStats;
      statsAt = Optional.of(now);
      // jicofo latches both: a bridge never comes back from shutting down.
      gracefulShutdown |= s.gracefulShutdown();
      shuttingDown |= s.shuttingDown();
      if (config.presenceHealth()) {
        s.healthy().ifPresent(ok -> healthCheck(ok ? HealthCheck.PASSED : HealthCheck.FAILED, now));
      }
    });
  }

  void healthCheck(HealthCheck result, Instant now) {
    cachedView = null;
    if (result == HealthCheck.PASSED) {
      checksPassing = true;
    } else {
      checksPassing = false;
      lastFailure = now;
      failureRecentUntil = now.plus(config.failureResetThreshold());
    }
  }

  void participantsAdded(int count, Instant now) {
    cachedView = null;
    added.addLast(new Added(now, count));
    prune(now);
  }

  /** The state the facts mean at {@code now}; precedence as documented on {@link BridgeState}. */
  BridgeState stateAt(Instant now) {
    return stateAt(now, correctedStress(now));
  }

  private BridgeState stateAt(Instant now, OptionalDouble corrected) {
    if (now.isAfter(lostAfter)) {
      return BridgeState.LOST;
    }
    if (shuttingDown) {
      return BridgeState.SHUTTING_DOWN;
    }
    // jicofo Bridge.isOperational: false while the last failure is recent, then whatever the
    // checks say (a passing check resets it).
    boolean recentFailure = lastFailure != null && now.isBefore(failureRecentUntil);
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
    if (corrected.isPresent() && corrected.getAsDouble() >= config.stressThreshold()) {
      return BridgeState.OVERLOADED;
    }
    return BridgeState.HEALTHY;
  }

  /** Reported stress plus the participants added within the ramp-up window times their stress. */
  OptionalDouble correctedStress(Instant now) {
    return correctedStress(recentlyAdded(now));
  }

  private OptionalDouble correctedStress(int recentlyAdded) {
    if (stats.isEmpty() || stats.get().stressLevel().isEmpty()) {
      return OptionalDouble.empty();
    }
    double perParticipant = stats.get().averageParticipantStress().orElse(config.averageParticipantStress());
    return OptionalDouble.of(stats.get().stressLevel().getAsDouble() + recentlyAdded * perParticipant);
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
    if (added.isEmpty()) {
      return;
    }
    Instant cutoff = now.minus(config.participantRampUp());
    while (!added.isEmpty() && !added.peekFirst().at.isAfter(cutoff)) {
      added.pollFirst();
    }
  }

  boolean forgettable(Instant now) {
    return now.isAfter(lostAfter) && now.isAfter(lostAfter.plus(config.forgetLostAfter()));
  }

  /** Removes a source; whether any is left. */
  boolean removeSource(String source) {
    cachedView = null;
    if (sources.remove(source)) {
      sourcesView = Set.copyOf(sources);
    }
    return !sources.isEmpty();
  }

  /**
   * The view at {@code now}. A snapshot of 1,000 bridges is taken per conference placement in a
   * simulation, so a view is reused until a fact changes or the clock reaches the next instant
   * at which time alone changes it (presence timeout, failure reset, ramp-up expiry).
   */
  Bridge viewAt(Instant now) {
    if (cachedView != null && !now.isBefore(cachedAt) && now.isBefore(cachedUntil)) {
      return cachedView;
    }
    int recent = recentlyAdded(now);
    OptionalDouble corrected = correctedStress(recent);
    cachedView = new Bridge(id, stateAt(now, corrected), stats, corrected, recent, lastPresence, statsAt, sourcesView,
        gracefulShutdown, shuttingDown);
    cachedAt = now;
    cachedUntil = nextTimeDrivenChange(now);
    return cachedView;
  }

  private Instant nextTimeDrivenChange(Instant now) {
    Instant until = lostAfter;
    if (lastFailure != null) {
      until = earliestAfter(now, until, failureRecentUntil);
    }
    if (!added.isEmpty()) {
      if (added.peekLast().at.isAfter(now)) {
        return now; // the clock went back: an addition still to count; no reuse
      }
      // Appended in clock order, so the oldest addition leaves the window first.
      until = earliestAfter(now, until, added.peekFirst().at.plus(config.participantRampUp()));
    }
    return until;
  }

  private static Instant earliestAfter(Instant now, Instant until, Instant candidate) {
    return candidate.isAfter(now) && candidate.isBefore(until) ? candidate : until;
  }

  Bridge view(BridgeState at, Instant now) {
    return new Bridge(id, at, stats, correctedStress(now), recentlyAdded(now), lastPresence, statsAt, sourcesView,
        gracefulShutdown, shuttingDown);
  }
}
