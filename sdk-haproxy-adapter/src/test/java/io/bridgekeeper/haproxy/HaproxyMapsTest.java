package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyMapsTest {
  static final Topology TOPOLOGY = Topology.builder().bucketCount(1024)
      .shard(Shard.of("a")).shard(Shard.of("b").withWeight(200))
      .shard(Shard.of("c").withState(ShardState.DRAINING)).build();
  static final Set<String> BACKENDS = Set.of("shard_a", "shard_b", "shard_c");

  /** Keys HAProxy can produce that would break a naive map line. */
  static final List<RoomKey> HOSTILE = List.of(
      RoomKey.ofKeyBytes("a b".getBytes()), RoomKey.ofKeyBytes("#comment".getBytes()),
      RoomKey.ofKeyBytes("x;y&z=1".getBytes()), RoomKey.ofRoomName("Café Crème"),
      RoomKey.ofRoomName("日本語"), RoomKey.ofKeyBytes(new byte[] {(byte) 0xC3}),
      RoomKey.ofKeyBytes("q".repeat(2048).getBytes()));

  @Test
  void bucketsMapHasEveryOwnedBucketInOrder() {
    RoutingTable table = RoutingTable.of(TOPOLOGY);
    List<String> lines = HaproxyMaps.bucketsMap(table).lines().toList();
    assertEquals(1024, lines.size());
    for (int b = 0; b < 1024; b++) {
      assertEquals(b + " " + table.owner(b).orElseThrow().backend(), lines.get(b));
    }
    assertTrue(lines.stream().noneMatch(l -> l.endsWith("shard_c")), "a DRAINING shard owns no bucket");
  }

  @Test
  void outputIsDeterministicWhateverTheShardOrder() {
    Topology reordered = Topology.builder().bucketCount(1024)
        .shard(Shard.of("c").withState(ShardState.DRAINING)).shard(Shard.of("b").withWeight(200))
        .shard(Shard.of("a")).build();
    Map<RoomKey, String> pins = Map.of(HOSTILE.get(0), "c", HOSTILE.get(3), "a");
    RoutingTable one = RoutingTable.of(TOPOLOGY).withPins(pins);
    RoutingTable two = RoutingTable.of(reordered).withPins(pins);
    assertEquals(HaproxyMaps.bucketsMap(one), HaproxyMaps.bucketsMap(two));
    assertEquals(HaproxyMaps.pinsMap(one), HaproxyMaps.pinsMap(two));
  }

  @Test
  void everyKeyIsOneSafeTokenInUppercaseHex() {
    Map<RoomKey, String> pins = HOSTILE.stream().collect(Collectors.toMap(k -> k, k -> "c"));
    String map = HaproxyMaps.pinsMap(RoutingTable.of(TOPOLOGY).withPins(pins));
    List<String> lines = map.lines().toList();
    assertEquals(HOSTILE.size(), lines.size());
    for (String line : lines) {
      assertTrue(line.matches("[0-9A-F]+ shard_c"), line.length() > 80 ? line.substring(0, 80) : line);
    }
    assertTrue(lines.contains("612062 shard_c"), "a b");
    assertTrue(lines.contains("C3 shard_c"), "a lone non-UTF-8 byte");
    assertEquals("636166C3A9206372C3A86D65", HaproxyMaps.pinKey(RoomKey.ofRoomName("Café Crème")));
    assertEquals(lines.stream().sorted().toList(), lines, "pins in key order");
    HaproxyMaps.validate(HaproxyMaps.PINS_MAP, map, BACKENDS);
  }

  @Test
  void validationNamesTheProblem() {
    HaproxyConfigException missing = assertThrows(HaproxyConfigException.class,
        () -> HaproxyMaps.validate("buckets.map", "0 shard_a\n1 shard_x\n", BACKENDS));
    assertTrue(missing.getMessage().startsWith("buckets.map line 2: backend 'shard_x' is not declared"),
        missing.getMessage());
    assertThrows(HaproxyConfigException.class, () -> HaproxyMaps.validate("m", "0 shard_a extra\n", BACKENDS));
    assertThrows(HaproxyConfigException.class, () -> HaproxyMaps.validate("m", "0\n", BACKENDS));
    assertThrows(HaproxyConfigException.class, () -> HaproxyMaps.validate("m", "a#b shard_a\n", BACKENDS));
  }

  @Test
  void rewrittenMapsKeepTheirModeAndNewOnesAreReadableByAll(@TempDir Path dir) throws IOException {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
    // HAProxy often runs as another user, reading through its group or as "other".
    Path buckets = dir.resolve(HaproxyMaps.BUCKETS_MAP);
    Files.writeString(buckets, "");
    Files.setPosixFilePermissions(buckets, PosixFilePermissions.fromString("rw-r-----"));
    RoutingTable table = RoutingTable.of(TOPOLOGY);
    for (int sync = 0; sync < 2; sync++) {
      HaproxyMaps.write(table, dir, BACKENDS);
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(buckets)));
      assertEquals("rw-r--r--", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve(HaproxyMaps.PINS_MAP))));
    }
  }

  @Test
  void nothingIsWrittenWhenABackendIsMissing(@TempDir Path dir) throws IOException {
    RoutingTable table = RoutingTable.of(TOPOLOGY).withPin(HOSTILE.get(1), "b");
    assertThrows(HaproxyConfigException.class,
        () -> HaproxyMaps.write(table, dir, Set.of("shard_a", "shard_c")));
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "no map, not even a partial one");
    }
    HaproxyMaps.write(table, dir, BACKENDS);
    assertEquals(HaproxyMaps.bucketsMap(table), Files.readString(dir.resolve(HaproxyMaps.BUCKETS_MAP)));
    assertEquals(HaproxyMaps.pinsMap(table), Files.readString(dir.resolve(HaproxyMaps.PINS_MAP)));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary file left behind");
    }
  }
}
