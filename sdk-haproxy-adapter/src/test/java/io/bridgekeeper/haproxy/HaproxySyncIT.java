package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real HAProxies kept at the router's table: one is down during a push and catches up from
 * the files when it starts; a topology change with live rooms then reaches both, and both agree
 * with {@link RoutingTable#route} for every room, pinned ones included.
 */
class HaproxySyncIT {
  private static final String CONFIG = HaproxyProcess.TEST_PREAMBLE.replace("global\n",
      "global\n    stats socket {DIR}/admin.sock mode 600 level admin\n") + HaproxyMapsIT.ROUTING_FRONTEND;

  @Test
  void keepsManyInstancesAtTheTable(@TempDir Path root) throws Exception {
    Path dirA = Files.createDirectories(root.resolve("a"));
    Path dirB = Files.createDirectories(root.resolve("b"));
    Set<String> backends = Set.of("shard_s1", "shard_s2", "shard_s3", "shard_s4");
    HaproxySync sync = HaproxySync.of(List.of(
        new HaproxySync.Instance("a", HaproxyRuntimeApi.unixSocket(dirA.resolve("admin.sock"), Duration.ofSeconds(5)), dirA),
        new HaproxySync.Instance("b", HaproxyRuntimeApi.unixSocket(dirB.resolve("admin.sock"), Duration.ofSeconds(5)), dirB)),
        backends);
    Topology v1 = Topology.builder().bucketCount(1024).shard(Shard.of("s1")).shard(Shard.of("s2")).shard(Shard.of("s3")).build();
    List<RoomKey> rooms = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      rooms.add(RoomKey.ofRoomName("live room " + i));
    }
    RoutingTable t1 = RoutingTable.of(v1).withPin(RoomKey.ofRoomName("a room with # and spaces"), "s3");

    // First push: files for both; a at start-up loads them; b is not running yet.
    assertTrue(sync.push(t1).stream().noneMatch(HaproxySync.InstanceResult::ok), "nothing is running yet");
    try (HaproxyProcess a = HaproxyProcess.start(dirA, CONFIG.replace("{DIR}", dirA.toString()))) {
      List<HaproxySync.InstanceResult> results = sync.push(t1);
      assertTrue(results.get(0).ok(), String.valueOf(results.get(0).failure()));
      assertFalse(results.get(1).ok());
      assertAgrees(a, t1, rooms);

      // b starts from the files the push wrote: already at the table.
      try (HaproxyProcess b = HaproxyProcess.start(dirB, CONFIG.replace("{DIR}", dirB.toString()))) {
        assertAgrees(b, t1, rooms);

        // A shard is added while the rooms are live: they stay put, new buckets go to s4.
        Topology v2 = v1.withShard(Shard.of("s4"));
        RoutingTable t2 = t1.next(v2, rooms);
        assertTrue(t2.pinCount() > 0, "some live rooms had to be pinned");
        assertTrue(sync.push(t2).stream().allMatch(HaproxySync.InstanceResult::ok));
        assertAgrees(a, t2, rooms);
        assertAgrees(b, t2, rooms);
        for (RoomKey room : rooms) {
          assertEquals(t1.route(room).id(), t2.route(room).id(), "live room moved");
        }
        // Idempotent: pushing the same table again changes nothing.
        assertTrue(sync.push(t2).stream().allMatch(HaproxySync.InstanceResult::ok));
        assertAgrees(b, t2, rooms);
      }
    }
  }

  @Test
  void aMapDirectoryGivenWithDotDotNamesTheMapsHaproxyLoaded(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Path roundabout = dir.resolve("conf/../");
    HaproxySync.Instance instance = new HaproxySync.Instance("a",
        HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(5)), roundabout);
    HaproxySync sync = HaproxySync.of(List.of(instance), Set.of("shard_s1", "shard_s2"));
    Topology v1 = Topology.builder().bucketCount(1024).shard(Shard.of("s1")).build();
    RoutingTable t1 = RoutingTable.of(v1);
    List<RoomKey> rooms = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rooms.add(RoomKey.ofRoomName("room " + i));
    }
    sync.push(t1); // the files HAProxy starts from
    try (HaproxyProcess haproxy = HaproxyProcess.start(dir, CONFIG.replace("{DIR}", dir.toString()))) {
      // The runtime API knows the maps only by the path the configuration loaded them from.
      RoutingTable t2 = t1.next(v1.withShard(Shard.of("s2")), List.of());
      List<HaproxySync.InstanceResult> results = sync.push(t2);
      assertTrue(results.get(0).ok(), String.valueOf(results.get(0).failure()));
      assertAgrees(haproxy, t2, rooms);
    }
    assertEquals(dir.toAbsolutePath().normalize(), instance.mapDirectory());
  }

  @Test
  void anInvalidTableWritesNothing(@TempDir Path dir) throws Exception {
    HaproxySync sync = HaproxySync.of(List.of(new HaproxySync.Instance("a",
        HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(1)), dir)), Set.of("shard_s1"));
    RoutingTable table = RoutingTable.of(Topology.builder().bucketCount(64).shard(Shard.of("s1")).shard(Shard.of("s2")).build());
    assertThrows(HaproxyConfigException.class, () -> sync.push(table));
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  private static void assertAgrees(HaproxyProcess haproxy, RoutingTable table, List<RoomKey> rooms) throws Exception {
    try (RawHttpClient http = new RawHttpClient(haproxy.port)) {
      for (RoomKey room : rooms) {
        String body = http.get("/http-bind?room=" + HaproxyMapsIT.percentEncode(room.bytes())).body();
        assertEquals(table.route(room).backend(), body, "room " + room);
      }
      RoomKey hostile = RoomKey.ofRoomName("a room with # and spaces");
      assertEquals(table.route(hostile).backend(),
          http.get("/http-bind?room=" + HaproxyMapsIT.percentEncode(hostile.bytes())).body());
    }
  }
}
