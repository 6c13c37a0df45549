package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Readers route while a writer keeps swapping between two topologies whose tables disagree on
 * every probed room: each answer must be what one whole snapshot says, never a mix.
 */
class RouterConcurrencyTest {

  @Test
  void everyAnswerComesFromOneWholeSnapshot() throws Exception {
    Topology left = Topology.of("l1", "l2", "l3");
    Topology right = Topology.builder().version(1).shard(Shard.of("r1")).shard(Shard.of("r2")).build();
    Router router = Router.create(left);
    RoutingTable leftTable = RoutingTable.of(left);
    RoutingTable rightTable = RoutingTable.of(right);
    List<RoomKey> rooms = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rooms.add(RoomKey.ofRoomName("room " + i));
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger routed = new AtomicInteger();
    AtomicInteger swaps = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch started = new CountDownLatch(2);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          started.countDown();
          while (!stop.get()) {
            RoutingTable snapshot = router.table();
            for (RoomKey room : rooms) {
              Shard viaSnapshot = snapshot.route(room);
              assertEquals(viaSnapshot.id().startsWith("l") ? leftTable.route(room) : rightTable.route(room),
                  viaSnapshot);
              String live = router.route("/http-bind?room=" + room).orElseThrow().id();
              assertTrue(live.equals(leftTable.route(room).id()) || live.equals(rightTable.route(room).id()));
              routed.incrementAndGet();
            }
          }
          return null;
        }));
      }
      started.await();
      Future<?> writer = pool.submit(() -> {
        for (int i = 0; i < 400; i++) {
          router.update(i % 2 == 0 ? right : left);
          swaps.incrementAndGet();
        }
        return null;
      });
      writer.get(60, TimeUnit.SECONDS);
      stop.set(true);
      for (Future<?> f : readers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(400, swaps.get());
    assertTrue(routed.get() > 0);
    assertEquals(left, router.table().topology());
  }

  @Test
  void listenersSeeEachPublishedChange() {
    Router router = Router.create(Topology.of("a", "b"));
    List<Router.Change> seen = new ArrayList<>();
    router.addListener(seen::add);
    RoomKey room = RoomKey.ofRoomName("standup");
    String home = router.route(room).id();
    router.update(router.table().topology().withShard(Shard.of("c")), List.of(room));
    assertEquals(home, router.route(room).id());
    router.unpin(room);
    assertEquals(2, seen.size());
    assertEquals(seen.get(0).after(), seen.get(1).before());
    assertEquals(0, router.table().pinCount());
  }

  /** Concurrent writers: listeners see every change once, chained, in publication order. */
  @Test
  void listenersSeeChangesInPublicationOrder() throws Exception {
    Router router = Router.create(Topology.of("a", "b"));
    List<Router.Change> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    router.addListener(seen::add);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            router.pin(RoomKey.ofRoomName("w" + writer + "-" + i), writer == 0 ? "a" : "b");
          }
          return null;
        }));
      }
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(400, seen.size());
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i).before() == seen.get(i - 1).after(), "change " + i + " is out of order");
    }
    assertTrue(seen.get(seen.size() - 1).after() == router.table());
    assertEquals(400, router.table().pinCount());
  }

  /**
   * A listener that changed the router from inside its callback overtook the change being
   * delivered: the listeners after it saw the newer change first. Such a call is now refused.
   */
  @Test
  void aListenerCannotChangeTheRouterItListensTo() {
    Router router = Router.create(Topology.of("a", "b"));
    RoomKey one = RoomKey.ofRoomName("one");
    RoomKey two = RoomKey.ofRoomName("two");
    List<RuntimeException> refused = new ArrayList<>();
    router.addListener(c -> {
      if (c.diff().pinsSet().containsKey(one)) {
        try {
          router.pin(two, "b");
        } catch (IllegalStateException e) {
          refused.add(e);
        }
      }
    });
    List<Router.Change> seen = new ArrayList<>();
    router.addListener(seen::add);
    router.pin(one, "a");
    assertEquals(1, refused.size());
    assertTrue(refused.get(0).getMessage().contains("must not change the router"), refused.get(0).getMessage());
    assertEquals(1, seen.size());
    assertTrue(seen.get(0).after() == router.table());
    assertEquals(1, router.table().pinCount());
    // Outside a callback the router takes changes as before.
    router.pin(two, "b");
    assertEquals(2, seen.size());
    assertTrue(seen.get(1).before() == seen.get(0).after());
  }

  @Test
  void aBucketCountChangeIsRefusedAndNothingIsPublished() {
    Router router = Router.create(Topology.of("a", "b"));
    RoutingTable before = router.table();
    Topology other = Topology.builder().bucketCount(1024).shard(Shard.of("a")).shard(Shard.of("b")).build();
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> router.update(other));
    assertTrue(e.getMessage().contains("65536 and 1024 buckets"), e.getMessage());
    assertTrue(before == router.table());
  }

  /** With the tenant in the key, /acme/http-bind?room=r is room "acme/r", not "r": every pin would be stale. */
  @Test
  void aChangeThatReKeysRoomsIsRefusedAndNothingIsPublished() {
    Topology topology = Topology.of("a", "b");
    Router router = Router.create(topology);
    router.pin(RoomKey.ofRoomName("r"), "a");
    RoutingTable before = router.table();
    for (RoomKeyRules rules : List.of(topology.roomKeys().withTenantInKey(true),
        new RoomKeyRules(false, 2048, List.of("http-bind"), RoomKeyRules.DEFAULT_STATIC_DIRECTORIES,
            RoomKeyRules.DEFAULT_RESERVED_NAMES))) {
      Topology next = topology.toBuilder().version(1).roomKeys(rules).build();
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> router.update(next));
      assertTrue(e.getMessage().contains("room keys differ"), e.getMessage());
      assertTrue(before == router.table());
    }
    // Which requests carry a room may change: the keys of rooms stay the same.
    Topology moreReserved = topology.toBuilder().version(1).roomKeys(new RoomKeyRules(false, 1024,
        RoomKeyRules.DEFAULT_SIGNALLING_PATHS, RoomKeyRules.DEFAULT_STATIC_DIRECTORIES, java.util.Set.of("lobby")))
        .build();
    router.update(moreReserved);
    assertEquals(1, router.table().pinCount());
  }
}
