package io.bridgekeeper.routing;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for routing rooms to shards.
 *
 * <p>Reads are lock-free: each call reads one volatile reference to an immutable
 * {@link RoutingTable}, so every answer comes from one whole snapshot. Changes (topology updates,
 * pins) are serialised and publish a new snapshot atomically; listeners then receive the diff.
 *
 * <pre>{@code
 * Router router = Router.create(TopologyFiles.load(Path.of("topology.yaml")));
 * Shard shard = router.route(RoomKey.ofRoomName("Daily Standup"));
 * Optional<Shard> s = router.route("/http-bind?room=daily%20standup");
 * router.update(nextTopology, liveRooms);   // live rooms stay put
 * }</pre>
 */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  private volatile RoutingTable table;
  private final Object writeLock = new Object();
  /** True while listeners run; guarded by writeLock. */
  private boolean notifying;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

  /** A published change: the tables before and after, and what moved. */
  public record Change(RoutingTable before, RoutingTable after, RoutingDiff diff) {}

  private Router(RoutingTable initial) {
    this.table = Objects.requireNonNull(initial, "table");
  }

  /** A router over the table of {@code topology}. */
  public static Router create(Topology topology) {
    return new Router(RoutingTable.of(topology));
  }

  /** A router starting from an existing table (for example one with pins restored). */
  public static Router create(RoutingTable table) {
    return new Router(table);
  }

  /** See {@link RoutingTable#route(RoomKey)}. */
  public Shard route(RoomKey key) {
    return table.route(key);
  }

  /** See {@link RoutingTable#route(CharSequence)}. */
  public Optional<Shard> route(CharSequence requestTarget) {
    return table.route(requestTarget);
  }

  /** The current snapshot. */
  public RoutingTable table() {
    return table;
  }

  /**
   * Receives every published change, on the thread that made it, right after publication and
   * before the next change can be made: changes arrive one at a time, in order. Readers are never
   * blocked by a listener; writers wait for it, so keep listeners short (hand work to a queue). A
   * listener must not change this router itself: such a call throws {@link IllegalStateException}
   * (which the router logs, like any exception of a listener), since its change would overtake the
   * one being delivered.
   */
  public void addListener(Consumer<Change> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<Change> listener) {
    listeners.remove(listener);
  }

  /** Pins a live room to a shard. */
  public RoutingDiff pin(RoomKey key, String shardId) {
    return apply(t -> t.withPin(key, shardId));
  }

  /** Pins several rooms in one snapshot. */
  public RoutingDiff pinAll(Map<RoomKey, String> pins) {
    return apply(t -> t.withPins(pins));
  }

  /** Removes the pin of a room that ended. */
  public RoutingDiff unpin(RoomKey key) {
    return apply(t -> t.withoutPins(List.of(key)));
  }

  /** Removes the pins of rooms that ended, in one snapshot. */
  public RoutingDiff unpinAll(Collection<RoomKey> keys) {
    return apply(t -> t.withoutPins(keys));
  }

  /**
   * Moves to {@code next}, keeping pins whose shard survives (see {@link RoutingTable#next(Topology)}).
   *
   * @throws IllegalArgumentException if {@code next} has another bucket count, or other room-key
   *     rules for tenants or signalling paths: that re-routes every room and needs a new HAProxy
   *     configuration, so build a new router instead
   */
  public RoutingDiff update(Topology next) {
    return apply(t -> t.next(next));
  }

  /**
   * Moves to {@code next} keeping every live room on its shard: the live rooms whose bucket moves
   * are pinned in the same snapshot that publishes the new buckets (see
   * {@link RoutingTable#next(Topology, Collection)}).
   */
  public RoutingDiff update(Topology next, Collection<RoomKey> liveRooms) {
    return apply(t -> t.next(next, liveRooms));
  }

  private RoutingDiff apply(UnaryOperator<RoutingTable> change) {
    synchronized (writeLock) {
      if (notifying) {
        // The lock is re-entrant: a nested change would reach the listeners after this one
        // before this one has reached them all, and a sync would apply the older diff last.
        throw new IllegalStateException("a Router listener must not change the router it listens to "
            + "(hand the change to another thread or queue it)");
      }
      RoutingTable before = table;
      RoutingTable after = change.apply(before);
      RoutingDiff diff = after.diffFrom(before);
      table = after;
      if (!diff.isEmpty()) {
        LOG.info("routing table v{} -> v{}: {} buckets moved, {} pins set, {} pins removed",
            diff.fromVersion(), diff.toVersion(), diff.moves().size(), diff.pinsSet().size(),
            diff.pinsRemoved().size());
      }
      // Inside the lock, so listeners see changes one at a time and in publication order: a sync
      // that replays diffs must never apply an older one after a newer one.
      Change published = new Change(before, after, diff);
      notifying = true;
      try {
        for (Consumer<Change> l : listeners) {
          try {
            l.accept(published);
          } catch (RuntimeException e) {
            LOG.warn("routing change listener {} failed", l, e);
          }
        }
      } finally {
        notifying = false;
      }
      return diff;
    }
  }
}
