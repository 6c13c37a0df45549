package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy 2.6 loads the generated maps and picks a backend for each room with the
 * routing contract's converters (pin by {@code var(txn.room),hex}, else bucket by
 * {@code crc32,mod(B)}); it must pick what {@link RoutingTable#route} picks, for ordinary rooms
 * and for pinned rooms whose keys hold spaces, '#', non-ASCII bytes or 2,048 bytes.
 */
class HaproxyMapsIT {
  /** The contract's lookups: pin by hex key, else bucket; answers with the chosen backend. */
  static final String ROUTING_FRONTEND = """
      frontend routing
          bind 127.0.0.1:{PORT}
          http-request set-var(txn.room) url_param(room),url_dec,lower
          http-request set-var(txn.pin) var(txn.room),hex,map_str({DIR}/pins.map) if { var(txn.room) -m found }
          http-request set-var(txn.bucket) var(txn.room),crc32,mod(1024) if { var(txn.room) -m found }
          http-request set-var(txn.backend) var(txn.pin) if { var(txn.pin) -m found }
          http-request set-var(txn.backend) var(txn.bucket),map_str({DIR}/buckets.map) if !{ var(txn.backend) -m found } { var(txn.bucket) -m found }
          http-request return status 200 content-type text/plain lf-string "%[var(txn.backend)]"
      """;

  private static final String CONFIG = HaproxyProcess.TEST_PREAMBLE + ROUTING_FRONTEND;

  @Test
  void haproxyPicksTheBackendJavaPicks(@TempDir Path dir) throws Exception {
    Map<RoomKey, String> pins = new HashMap<>();
    for (RoomKey hostile : HaproxyMapsTest.HOSTILE) {
      pins.put(hostile, "c");
    }
    List<RoomKey> rooms = new ArrayList<>(HaproxyMapsTest.HOSTILE);
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 1500; i++) {
      RoomKey room = RoomKey.ofRoomName("Room " + rnd.nextInt(1_000_000) + (i % 3 == 0 ? " Café" : ""));
      rooms.add(room);
      if (i % 10 == 0) {
        pins.put(room, i % 20 == 0 ? "a" : "b");
      }
    }
    RoutingTable table = RoutingTable.of(HaproxyMapsTest.TOPOLOGY).withPins(pins);
    HaproxyMaps.write(table, dir, HaproxyMapsTest.BACKENDS);

    try (HaproxyProcess haproxy = HaproxyProcess.start(dir, CONFIG.replace("{DIR}", dir.toString()));
        RawHttpClient client = new RawHttpClient(haproxy.port)) {
      for (RoomKey room : rooms) {
        RawHttpClient.Response r = client.get("/http-bind?room=" + percentEncode(room.bytes()));
        assertEquals(200, r.status(), room.toString());
        assertEquals(table.route(room).backend(), r.body(), "room " + room);
      }
    }
  }

  /** Every byte outside unreserved ASCII as %XX, as a client would send it. */
  static String percentEncode(byte[] key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }
}
