package io.bridgekeeper.bridges;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live registry of videobridges: sources (brewery MUCs, REST pollers) report what they see,
 * the pool keeps one {@link BridgeState} per bridge, tells listeners about every change, and hands
 * out immutable {@link PoolSnapshot}s.
 *
 * <p>Bridges are merged by id across sources: a bridge in the breweries of two shards is one bridge,
 * alive while any source hears from it, and gone when it has left every source. Time-driven changes
 * (a presence timing out into LOST, a failure ageing out) happen at {@link #refresh()} — call it
 * from a scheduler — and whenever an event for that bridge arrives. The clock is injected.
 *
 * <p>Thread-safe. Events and refreshes are serialised by one lock; listeners run inside it, so they
 * see changes one at a time and in order, and must return quickly.
 */
public final class BridgePool {
  private static final Logger LOG = LoggerFactory.getLogger(BridgePool.class);

  /**
   * One change of a bridge: {@code before} is empty when it appeared, {@code after} when it left
   * (every source saw it leave, or it stayed LOST past the forget time).
   */
  public record Change(String bridgeId, Optional<BridgeState> before, Optional<BridgeState> after, Instant at) {}

  private final BridgeHealthConfig config;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, BridgeRecord> bridges = new java.util.HashMap<>();
  /** The records sorted by id (PoolSnapshot's order), rebuilt only when a bridge comes or goes. */
  private List<BridgeRecord> sorted = List.of();
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Bridge>> updateListeners = new CopyOnWriteArrayList<>();

  private BridgePool(BridgeHealthConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public static BridgePool create(BridgeHealthConfig config, Clock clock) {
    return new BridgePool(config, clock);
  }

  public BridgeHealthConfig config() {
    return config;
  }

  public void addListener(Consumer<Change> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<Change> listener) {
    listeners.remove(listener);
  }

  /**
   * Receives the bridge after every presence that carried stats, state change or not (for
   * exporters and ingest measurements). Runs inside the pool's lock, like {@link #addListener}.
   */
  public void addUpdateListener(Consumer<Bridge> listener) {
    updateListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeUpdateListener(Consumer<Bridge> listener) {
    updateListeners.remove(listener);
  }

  /**
   * {@code source} heard from {@code bridgeId}: it is alive and, when {@code stats} is present,
   * these are its latest stats. A source that received stats it could not believe passes empty
   * stats: the bridge stays alive with its previous stats.
   */
  public void presence(String source, String bridgeId, Optional<BridgeStats> stats) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(bridgeId, "bridgeId");
    Objects.requireNonNull(stats, "stats");
    lock.lock();
    try {
      // The hot path of a large pool (one call per bridge per stats interval): no lambda, one lookup.
      BridgeRecord known = bridges.get(bridgeId);
      if (known != null) {
        Instant now = clock.instant();
        known.presence(source, stats, now);
        transition(known, now);
      } else {
        update(bridgeId, true, (r, now) -> r.presence(source, stats, now));
      }
    } finally {
      lock.unlock();
    }
    if (stats.isPresent() && !updateListeners.isEmpty()) {
      lock.lock();
      try {
        BridgeRecord r = bridges.get(bridgeId);
        if (r != null) {
          Instant now = clock.instant();
          Bridge view = r.view(r.state, now);
          for (Consumer<Bridge> l : updateListeners) {
            try {
              l.accept(view);
            } catch (RuntimeException e) {
              LOG.warn("bridge pool update listener failed on {}: {}", bridgeId, e.toString());
            }
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** {@code source} saw {@code bridgeId} leave (an unavailable presence). */
  public void left(String source, String bridgeId) {
    lock.lock();
    try {
      BridgeRecord r = bridges.get(bridgeId);
      if (r == null) {
        return;
      }
      if (!r.removeSource(source)) {
        remove(r, "left every source");
      }
    } finally {
      lock.unlock();
    }
  }

  /** The outcome of a health check of {@code bridgeId}; ignored for a bridge the pool does not know. */
  public void healthCheck(String bridgeId, HealthCheck result) {
    Objects.requireNonNull(result, "result");
    update(bridgeId, false, (r, now) -> r.healthCheck(result, now));
  }

  /** {@code count} participants were just placed on {@code bridgeId}: they count towards its corrected stress. */
  public void participantsAdded(String bridgeId, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be ≥ 0, was " + count);
    }
    update(bridgeId, false, (r, now) -> r.participantsAdded(count, now));
  }

  /** Applies time-driven changes to every bridge and forgets bridges LOST for too long. */
  public void refresh() {
    lock.lock();
    try {
      Instant now = clock.instant();
      for (BridgeRecord r : sorted) {
        if (r.forgettable(now)) {
          remove(r, "lost for longer than " + config.forgetLostAfter());
        } else {
          transition(r, now);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Every bridge as it is now. */
  public PoolSnapshot snapshot() {
    lock.lock();
    try {
      Instant now = clock.instant();
      Bridge[] views = new Bridge[sorted.size()];
      for (int i = 0; i < views.length; i++) {
        views[i] = sorted.get(i).viewAt(now);
      }
      return new PoolSnapshot(now, List.of(views));
    } finally {
      lock.unlock();
    }
  }

  private void resort() {
    List<BridgeRecord> records = new ArrayList<>(bridges.values());
    records.sort(java.util.Comparator.comparing(r -> r.id));
    sorted = records;
  }

  private interface Update {
    void apply(BridgeRecord record, Instant now);
  }

  private void update(String bridgeId, boolean create, Update update) {
    lock.lock();
    try {
      Instant now = clock.instant();
      BridgeRecord r = bridges.get(bridgeId);
      if (r == null) {
        if (!create) {
          return;
        }
        r = new BridgeRecord(bridgeId, config, now);
        bridges.put(bridgeId, r);
        resort();
        update.apply(r, now);
        r.state = r.stateAt(now);
        LOG.info("bridge {} appeared: {}", bridgeId, r.state);
        fire(new Change(bridgeId, Optional.empty(), Optional.of(r.state), now));
        return;
      }
      update.apply(r, now);
      transition(r, now);
    } finally {
      lock.unlock();
    }
  }

  private void transition(BridgeRecord r, Instant now) {
    BridgeState next = r.stateAt(now);
    if (next == r.state) {
      return;
    }
    if (!r.state.canMoveTo(next)) {
      // The derivation and the table disagree: a bug, never a silent illegal state.
      throw new IllegalStateException("bridge " + r.id + ": illegal transition " + r.state + " -> " + next);
    }
    BridgeState before = r.state;
    r.state = next;
    LOG.info("bridge {}: {} -> {}", r.id, before, next);
    fire(new Change(r.id, Optional.of(before), Optional.of(next), now));
  }

  private void remove(BridgeRecord r, String why) {
    Instant now = clock.instant();
    transition(r, now);
    bridges.remove(r.id);
    resort();
    // A drained bridge leaving is how scale-in ends; only a bridge that was taking conferences is a loss.
    if (r.state != BridgeState.GRACEFUL_SHUTDOWN && r.state != BridgeState.SHUTTING_DOWN
        && r.state != BridgeState.DRAINING) {
      LOG.warn("bridge {} removed ({}) while {}: lost", r.id, why, r.state);
    } else {
      LOG.info("bridge {} removed ({})", r.id, why);
    }
    fire(new Change(r.id, Optional.of(r.state), Optional.empty(), now));
  }

  private void fire(Change change) {
    for (Consumer<Change> l : listeners) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        LOG.warn("bridge pool listener failed on {}: {}", change, e.toString());
      }
    }
  }
}
