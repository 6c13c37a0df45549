package io.bridgekeeper.bridges;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One bridge in a {@link PoolSnapshot}: immutable.
 *
 * @param id the bridge id (its MUC nickname, by default the host name)
 * @param state its state at the snapshot's instant
 * @param stats its latest believable stats, if any arrived
 * @param correctedStress reported stress plus the stress of participants added within the ramp-up
 *     window (jicofo's {@code correctedStress}); empty while the stress is unknown
 * @param recentlyAddedParticipants participants added within the ramp-up window
 * @param lastPresence when any source last heard from it
 * @param statsAt when {@code stats} arrived: a presence whose stats could not be believed keeps
 *     the bridge alive ({@code lastPresence}) but not its stats fresh; empty when no stats arrived
 * @param sources the sources (breweries, pollers) it is currently present in
 * @param gracefulShutdown it reported {@code graceful_shutdown=true} (latched, as jicofo does)
 * @param shuttingDown it reported {@code shutting_down=true} (latched)
 */
public record Bridge(
    String id,
    BridgeState state,
    Optional<BridgeStats> stats,
    OptionalDouble correctedStress,
    int recentlyAddedParticipants,
    Instant lastPresence,
    Optional<Instant> statsAt,
    Set<String> sources,
    boolean gracefulShutdown,
    boolean shuttingDown) {

  public Bridge {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(correctedStress, "correctedStress");
    Objects.requireNonNull(lastPresence, "lastPresence");
    Objects.requireNonNull(statsAt, "statsAt");
    if (statsAt.isPresent() != stats.isPresent()) {
      throw new IllegalArgumentException("statsAt must be present exactly when stats are");
    }
    sources = Set.copyOf(sources);
  }

  /** A bridge whose stats, if any, arrived with its last presence. */
  public Bridge(String id, BridgeState state, Optional<BridgeStats> stats, OptionalDouble correctedStress,
      int recentlyAddedParticipants, Instant lastPresence, Set<String> sources, boolean gracefulShutdown,
      boolean shuttingDown) {
    this(id, state, stats, correctedStress, recentlyAddedParticipants, lastPresence,
        stats.map(s -> lastPresence), sources, gracefulShutdown, shuttingDown);
  }

  /** Participants it reported, if known. */
  public OptionalInt participants() {
    return stats.map(BridgeStats::participants).orElse(OptionalInt.empty());
  }

  /** Its region, empty if not reported. */
  public String region() {
    return stats.map(BridgeStats::region).orElse("");
  }

  /** The version conferences pin to, empty if not reported. */
  public String fullVersion() {
    return stats.map(BridgeStats::fullVersion).orElse("");
  }

  /** Whether it reported {@code drain=true}, or reported nothing yet (jicofo: draining until stats). */
  public boolean draining() {
    return stats.flatMap(BridgeStats::drain).orElse(true);
  }

  /** Whether it can take conferences at all: not LOST and no recent failed health check (jicofo's isOperational). */
  public boolean operational() {
    return state != BridgeState.LOST && state != BridgeState.UNHEALTHY;
  }

  /** Whether it reports a relay id (it can be one of several bridges of a conference). */
  public boolean hasRelay() {
    return stats.map(s -> !s.relayId().isEmpty()).orElse(false);
  }
}
