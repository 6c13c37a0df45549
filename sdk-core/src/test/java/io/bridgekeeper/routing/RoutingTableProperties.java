package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.TopologyArbitraries.Change;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RoutingTableProperties {

  @Provide
  Arbitrary<List<Shard>> shards() {
    return TopologyArbitraries.shardLists(2, 30, true).filter(l -> l.stream().anyMatch(Shard::isActive));
  }

  @Provide
  Arbitrary<PlacementStrategy> strategies() {
    return TopologyArbitraries.strategies();
  }

  @Provide
  Arbitrary<Integer> buckets() {
    return Arbitraries.of(1, 7, 256, 1024, 4096);
  }

  @Provide
  Arbitrary<Set<RoomKey>> rooms() {
    return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
        .map(RoomKey::ofRoomName).set().ofMinSize(1).ofMaxSize(300);
  }

  /** A pin beats the bucket table, on both the key path and the request-target path. */
  @Property(tries = 300)
  void pinsWin(@ForAll("shards") List<Shard> shards, @ForAll("buckets") int b,
      @ForAll("strategies") PlacementStrategy strategy, @ForAll("rooms") Set<RoomKey> rooms, @ForAll long seed) {
    RoutingTable t = RoutingTable.of(TopologyArbitraries.topology(shards, b, strategy));
    Random rnd = new Random(seed);
    List<Shard> pinnable = t.shards().stream().filter(s -> s.state() != ShardState.DOWN).toList();
    Map<RoomKey, String> pins = new HashMap<>();
    for (RoomKey room : rooms) {
      if (rnd.nextBoolean()) {
        pins.put(room, pinnable.get(rnd.nextInt(pinnable.size())).id());
      }
    }
    RoutingTable pinned = t.withPins(pins);
    for (RoomKey room : rooms) {
      String expected = pins.getOrDefault(room, t.route(room).id());
      assertEquals(expected, pinned.route(room).id());
      String target = "/http-bind?room=" + room;
      assertEquals(expected, pinned.route(target).orElseThrow().id(), target);
    }
    assertEquals(pins.size(), pinned.pinCount());
    assertEquals(pins, pinned.pins());
  }

  @Property(tries = 100)
  void cannotPinToDownOrUnknownShard(@ForAll("shards") List<Shard> shards, @ForAll("rooms") Set<RoomKey> rooms) {
    RoutingTable t = RoutingTable.of(TopologyArbitraries.topology(shards, 64, PlacementStrategy.maglev()));
    RoomKey room = rooms.iterator().next();
    assertThrows(IllegalArgumentException.class, () -> t.withPin(room, "no-such-shard"));
    t.shards().stream().filter(s -> s.state() == ShardState.DOWN)
        .forEach(s -> assertThrows(IllegalArgumentException.class, () -> t.withPin(room, s.id())));
  }

  /** next(topology): pins survive except those whose shard is gone or DOWN. */
  @Property(tries = 300)
  void downLosesPinsDrainingKeepsThem(@ForAll("shards") List<Shard> shards, @ForAll("rooms") Set<RoomKey> rooms,
      @ForAll("strategies") PlacementStrategy strategy, @ForAll long seed) {
    Topology before = TopologyArbitraries.topology(shards, 1024, strategy);
    Random rnd = new Random(seed);
    List<Shard> pinnable = before.shards().stream().filter(s -> s.state() != ShardState.DOWN).toList();
    Map<RoomKey, String> pins = new HashMap<>();
    rooms.forEach(r -> pins.put(r, pinnable.get(rnd.nextInt(pinnable.size())).id()));
    RoutingTable t = RoutingTable.of(before).withPins(pins);
    Shard victim = pinnable.get(rnd.nextInt(pinnable.size()));
    ShardState newState = rnd.nextBoolean() ? ShardState.DOWN : ShardState.DRAINING;
    Topology after = before.withState(victim.id(), newState);
    if (after.activeShards().isEmpty()) {
      after = after.withShard(Shard.of("spare"));
    }
    RoutingTable next = t.next(after);
    for (RoomKey r : rooms) {
      boolean lost = pins.get(r).equals(victim.id()) && newState == ShardState.DOWN;
      assertEquals(!lost, next.pins().containsKey(r));
      if (!lost) {
        assertEquals(pins.get(r), next.route(r).id());
      } else {
        assertTrue(next.route(r).isActive());
      }
    }
    // A DRAINING shard gets no bucket.
    if (newState == ShardState.DRAINING) {
      assertEquals(0, next.bucketCounts().get(victim.id()));
    }
  }

  /**
   * next(topology, liveRooms): every live room whose shard survives stays on it, and the pins are
   * exactly the live rooms the new bucket table would have moved.
   */
  @Property(tries = 300)
  void liveRoomsStayPut(@ForAll("shards") List<Shard> shards, @ForAll("rooms") Set<RoomKey> rooms,
      @ForAll("strategies") PlacementStrategy strategy, @ForAll Change change, @ForAll long seed) {
    Topology before = TopologyArbitraries.topology(shards, 1024, strategy);
    Random rnd = new Random(seed);
    List<RoomKey> all = new ArrayList<>(rooms);
    // Some rooms already pinned from an earlier change, some of them no longer live.
    List<Shard> pinnable = before.shards().stream().filter(s -> s.state() != ShardState.DOWN).toList();
    Map<RoomKey, String> old = new HashMap<>();
    for (RoomKey r : all) {
      if (rnd.nextInt(4) == 0) {
        old.put(r, pinnable.get(rnd.nextInt(pinnable.size())).id());
      }
    }
    RoutingTable current = RoutingTable.of(before).withPins(old);
    Set<RoomKey> live = new LinkedHashSet<>();
    for (RoomKey r : all) {
      if (rnd.nextInt(3) != 0) {
        live.add(r);
      }
    }
    Topology after = PlacementProperties.apply(before, change, rnd).after();
    if (after.activeShards().isEmpty()) {
      after = after.withShard(Shard.of("spare"));
    }
    RoutingTable next = current.next(after, live);
    RoutingTable bare = RoutingTable.of(after, PlacementStrategy.named(after.placement()));
    for (RoomKey r : live) {
      Shard was = current.route(r);
      boolean survives = after.shard(was.id()).map(s -> s.state() != ShardState.DOWN).orElse(false);
      if (survives) {
        assertEquals(was.id(), next.route(r).id(), "live room " + r + " moved");
        assertEquals(!bare.route(r).id().equals(was.id()), next.pins().containsKey(r));
      } else {
        assertFalse(next.pins().containsKey(r));
      }
    }
    for (RoomKey pinned : next.pins().keySet()) {
      assertTrue(live.contains(pinned), "pin for a room that is not live: " + pinned);
    }
  }

  /** Applying a diff's moves to the old table gives the new one; pin changes add up too. */
  @Property(tries = 200)
  void diffIsExact(@ForAll("shards") List<Shard> shards, @ForAll("rooms") Set<RoomKey> rooms,
      @ForAll Change change, @ForAll long seed) {
    Topology before = TopologyArbitraries.topology(shards, 512, PlacementStrategy.maglev());
    Random rnd = new Random(seed);
    RoutingTable a = RoutingTable.of(before);
    Topology after = PlacementProperties.apply(before, change, rnd).after();
    if (after.activeShards().isEmpty()) {
      after = after.withShard(Shard.of("spare"));
    }
    RoutingTable b = a.next(after, rooms);
    RoutingDiff diff = b.diffFrom(a);
    String[] owners = new String[512];
    for (int i = 0; i < 512; i++) {
      owners[i] = a.ownerId(i);
    }
    diff.moves().forEach(m -> {
      assertEquals(owners[m.bucket()], m.fromShard());
      owners[m.bucket()] = m.toShard();
    });
    for (int i = 0; i < 512; i++) {
      assertEquals(b.ownerId(i), owners[i]);
    }
    Map<RoomKey, String> pins = new HashMap<>(a.pins());
    diff.pinsRemoved().forEach(pins::remove);
    pins.putAll(diff.pinsSet());
    assertEquals(b.pins(), pins);
    assertEquals(before.version(), diff.fromVersion());
    assertEquals(after.version(), diff.toVersion());
  }
}
