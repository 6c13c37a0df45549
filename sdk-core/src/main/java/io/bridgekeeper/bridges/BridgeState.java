package io.bridgekeeper.bridges;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a videobridge is, as the pool sees it at one instant. Derived from the bridge's facts and
 * the clock, in this precedence: LOST, SHUTTING_DOWN, UNHEALTHY, GRACEFUL_SHUTDOWN, STARTING,
 * DRAINING, OVERLOADED, HEALTHY.
 *
 * <p>{@link #canMoveTo} is the transition table. It encodes the latches jicofo applies
 * ({@code graceful_shutdown} and {@code shutting_down} never clear) and that stats, once received,
 * are never unknown again; the pool refuses any other move, and property tests drive random event
 * sequences to show none is ever attempted.
 */
public enum BridgeState {
  /** In the brewery, no stats yet: jicofo treats it as draining until its first stats. */
  STARTING,
  /** Takes new conferences. */
  HEALTHY,
  /** Corrected stress at or above the threshold: chosen only when nothing else is left. */
  OVERLOADED,
  /** {@code drain=true}: keeps its conferences, gets new ones only when nothing else is left. */
  DRAINING,
  /** {@code graceful_shutdown=true}: keeps its conferences until they end, then shuts down. */
  GRACEFUL_SHUTDOWN,
  /** {@code shutting_down=true}: its conferences must move; never selected. */
  SHUTTING_DOWN,
  /** A health check failed less than the failure-reset time ago: never selected. */
  UNHEALTHY,
  /** No presence for longer than the presence timeout: never selected. */
  LOST;

  /** Whether a bridge in this state may be chosen for a new conference at all (jicofo's hard filters). */
  public boolean selectable() {
    return this != SHUTTING_DOWN && this != UNHEALTHY && this != LOST;
  }

  /** Whether the pool may move a bridge from this state to {@code next}. */
  public boolean canMoveTo(BridgeState next) {
    return this == next || allowed().contains(next);
  }

  private Set<BridgeState> allowed() {
    return switch (this) {
      // Stats arrive, a check fails, flags appear, or it vanishes.
      case STARTING -> EnumSet.complementOf(EnumSet.of(STARTING));
      // Stats never become unknown again.
      case HEALTHY, OVERLOADED, DRAINING -> EnumSet.complementOf(EnumSet.of(STARTING));
      // Latched: only shutting down, a failed check, or vanishing.
      case GRACEFUL_SHUTDOWN -> EnumSet.of(SHUTTING_DOWN, UNHEALTHY, LOST);
      // Latched: it only goes away.
      case SHUTTING_DOWN -> EnumSet.of(LOST);
      // The failure ages out into whatever the facts say (STARTING if no stats came yet).
      case UNHEALTHY, LOST -> EnumSet.complementOf(EnumSet.of(this));
    };
  }
}
