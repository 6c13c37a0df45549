package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopologyFilesTest {
  private static final String YAML = """
      version: 7
      buckets: 1024
      placement: rendezvous
      roomKeys:
        tenantInKey: true
      shards:
        - id: eu-2
          weight: 150
          region: eu-central
          state: draining
          address: 10.0.1.11:443
        - id: eu-1
          address: "[2001:db8::1]:8443"
          backend: be_eu1
      """;

  @Test
  void loadsYamlWithDefaults(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("topology.yaml");
    Files.writeString(file, YAML);
    Topology t = TopologyFiles.load(file);
    assertEquals(7, t.version());
    assertEquals(1024, t.bucketCount());
    assertEquals("rendezvous", t.placement());
    assertTrue(t.roomKeys().tenantInKey());
    assertEquals(RoomKeyRules.DEFAULT_MAX_KEY_BYTES, t.roomKeys().maxKeyBytes());
    assertEquals("eu-1", t.shards().get(0).id(), "shards are sorted by id");
    Shard eu1 = t.shard("eu-1").orElseThrow();
    assertEquals(new Shard("eu-1", 100, "", ShardState.ACTIVE, "[2001:db8::1]:8443", "be_eu1"), eu1);
    Shard eu2 = t.shard("eu-2").orElseThrow();
    assertEquals(ShardState.DRAINING, eu2.state());
    assertEquals("shard_eu-2", eu2.backend());
  }

  /** Values Jackson would have coerced into another routing; each must be refused, naming the field. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"buckets\": 1024.9, \"shards\": [{\"id\": \"a\"}]}                      | buckets",
      "{\"buckets\": 1024, \"buckets\": 2048, \"shards\": [{\"id\": \"a\"}]}    | buckets",
      "{\"version\": 3.7, \"shards\": [{\"id\": \"a\"}]}                          | version",
      "{\"buckets\": \"1024\", \"shards\": [{\"id\": \"a\"}]}                   | buckets",
      "{\"shards\": [{\"id\": \"a\", \"state\": 2}]}                              | state",
      "{\"shards\": [{\"id\": \"a\", \"weight\": 1.5}]}                           | weight",
      "{\"shards\": [{\"id\": \"a\", \"id\": \"b\"}]}                           | id",
      "{\"roomKeys\": {\"tenantInKey\": 1}, \"shards\": [{\"id\": \"a\"}]}      | tenantInKey",
      "{\"roomKeys\": {\"tenantInKey\": \"true\"}, \"shards\": [{\"id\": \"a\"}]} | tenantInKey",
      "{\"roomKeys\": {\"signallingPaths\": [null]}, \"shards\": [{\"id\": \"a\"}]} | roomKeys.signallingPaths[0]: is null",
      "{\"roomKeys\": {\"reservedNames\": [\"a\", null]}, \"shards\": [{\"id\": \"a\"}]} | roomKeys.reservedNames: an entry is null",
  })
  void coercionsDuplicatesAndNullEntriesAreRefused(String json, String named) {
    TopologyException e = assertThrows(TopologyException.class, () -> TopologyFiles.parseJson(json), json);
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void yamlIsAsStrictAndKeepsNumericLookingIds() {
    for (String yaml : List.of("shards:\n  - id: a\n    state: 1\n", "buckets: 1024\nbuckets: 2048\nshards:\n  - id: a\n",
        "shards:\n  - id: a\n    weight: 1.5\n", "roomKeys:\n  tenantInKey: 1\nshards:\n  - id: a\n")) {
      assertThrows(TopologyException.class, () -> TopologyFiles.parseYaml(yaml), yaml);
    }
    Topology t = TopologyFiles.parseYaml("shards:\n  - id: 007\n    weight: 50\n  - id: '8'\n");
    assertEquals(List.of("007", "8"), t.shards().stream().map(Shard::id).toList());
    assertEquals(ShardState.DRAINING, TopologyFiles.parseYaml("shards:\n  - id: a\n    state: Draining\n")
        .shards().get(0).state(), "state names stay case-insensitive");
  }

  @Test
  void jsonAndYamlRoundTrip(@TempDir Path dir) throws IOException {
    Topology t = TopologyFiles.parseYaml(YAML);
    assertEquals(t, TopologyFiles.parseJson(TopologyFiles.toJson(t)));
    assertEquals(t, TopologyFiles.parseYaml(TopologyFiles.toYaml(t)));
    Path json = dir.resolve("t.json");
    TopologyFiles.write(t, json);
    assertEquals(t, TopologyFiles.load(json));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void shardOrderInTheFileDoesNotMatter() {
    String a = "{\"shards\":[{\"id\":\"a\"},{\"id\":\"b\",\"weight\":300},{\"id\":\"c\"}]}";
    String b = "{\"shards\":[{\"id\":\"c\"},{\"id\":\"a\"},{\"id\":\"b\",\"weight\":300}]}";
    assertEquals(RoutingTable.of(TopologyFiles.parseJson(a)).fingerprint(),
        RoutingTable.of(TopologyFiles.parseJson(b)).fingerprint());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{\"shards\":[{\"id\":\"a\"},{\"id\":\"a\"}]}|shard id 'a' appears more than once",
      "{\"shards\":[]}|shards: at least one shard is required",
      "{}|shards: at least one shard is required",
      "{\"shards\":[{\"weight\":3}]}|shards[0].id: is required",
      "{\"shards\":[{\"id\":\"a b\"}]}|shards[0]: shard id 'a b' must be",
      "{\"shards\":[{\"id\":\"a\",\"weight\":0}]}|shards[0]: shard a: weight must be between 1 and",
      "{\"shards\":[{\"id\":\"a\",\"state\":\"gone\"}]}|shards[0].state: 'gone' is not a shard state; use active, draining or down",
      "{\"shards\":[{\"id\":\"a\",\"adress\":\"x\"}]}|shards[0].adress: unknown field 'adress'; known fields: [address, backend, id, region, state, weight]",
      "{\"shards\":[{\"id\":\"a\",\"address\":\"10.0.0.1:99999\"}]}|address '10.0.0.1:99999'",
      "{\"shards\":[{\"id\":\"a\",\"address\":\"x\\ny\"}]}|address 'x\\x0Ay'",
      "{\"shards\":[{\"id\":\"a\",\"backend\":\"b;c\"}]}|backend name 'b;c'",
      "{\"shards\":[{\"id\":\"a\",\"backend\":\"x\"},{\"id\":\"b\",\"backend\":\"x\"}]}|backend 'x' is used by more than one shard",
      "{\"buckets\":0,\"shards\":[{\"id\":\"a\"}]}|bucket count must be between 1 and",
      "{\"placement\":\"ring\",\"shards\":[{\"id\":\"a\"}]}|placement 'ring' is not one of [maglev, rendezvous]",
      "{\"version\":-1,\"shards\":[{\"id\":\"a\"}]}|version must be 0 or more",
      "{\"roomKeys\":{\"maxKeyBytes\":9999},\"shards\":[{\"id\":\"a\"}]}|roomKeys: maxKeyBytes must be between 1 and 4096",
      "{\"shards\":[{\"id\":\"a\"}]} trailing|Unrecognized token 'trailing'",
      "{\"shards\":[{\"id\":\"a\"}|Unexpected end-of-input",
  })
  void errorsNameTheProblem(String json, String expected) {
    TopologyException e = assertThrows(TopologyException.class, () -> TopologyFiles.parseJson(json));
    assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
  }

  @Test
  void fileErrorsNameTheFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("nope.json");
    assertTrue(assertThrows(TopologyException.class, () -> TopologyFiles.load(missing))
        .getMessage().startsWith(missing + ": no such file"));
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "shards:\n  - id: a\n    wieght: 3\n");
    TopologyException e = assertThrows(TopologyException.class, () -> TopologyFiles.load(bad));
    assertTrue(e.getMessage().startsWith(bad + ": shards[0].wieght: unknown field 'wieght'"), e.getMessage());
    assertTrue(e.getMessage().contains("near line"), e.getMessage());
  }

  @Test
  void topologyChangesBumpTheVersion() {
    Topology t = Topology.of("a", "b");
    assertEquals(1, t.withShard(Shard.of("c")).version());
    assertEquals(1, t.withState("a", ShardState.DRAINING).version());
    assertEquals(2, t.withWeight("a", 5).withoutShard("b").version());
    assertThrows(TopologyException.class, () -> t.withoutShard("zz"));
    assertThrows(TopologyException.class, () -> t.withoutShard("a").withoutShard("b"));
  }
}
