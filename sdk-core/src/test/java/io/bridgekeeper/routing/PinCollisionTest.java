package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Two different rooms with the same CRC-32 share a bucket; a pin on one must not catch the other. */
class PinCollisionTest {

  /**
   * Found once by a birthday search over "room-N" (CRC-32 is linear, so sequential names collide
   * late: this pair took 32 million names); the test re-checks that they still collide.
   */
  static RoomKey[] collidingKeys() {
    return new RoomKey[] {RoomKey.ofRoomName("room-29685295"), RoomKey.ofRoomName("room-32060020")};
  }

  @Test
  void pinMatchesBytesNotJustCrc() {
    RoomKey[] pair = collidingKeys();
    assertEquals(pair[0].crc32(), pair[1].crc32());
    assertNotEquals(pair[0], pair[1]);
    RoutingTable t = RoutingTable.of(Topology.of("a", "b", "c"));
    String owner = t.route(pair[0]).id();
    String other = owner.equals("a") ? "b" : "a";
    RoutingTable pinned = t.withPin(pair[0], other);
    assertEquals(other, pinned.route(pair[0]).id());
    assertEquals(owner, pinned.route(pair[1]).id());
    assertEquals(other, pinned.route("/http-bind?room=" + pair[0]).orElseThrow().id());
    assertEquals(owner, pinned.route("/xmpp-websocket?room=" + pair[1]).orElseThrow().id());
    // Both pinned to different shards: each keeps its own.
    RoutingTable both = pinned.withPin(pair[1], "c");
    assertEquals(other, both.route(pair[0]).id());
    assertEquals("c", both.route(pair[1]).id());
    assertEquals("c", both.route("/" + pair[1]).orElseThrow().id());
  }
}
