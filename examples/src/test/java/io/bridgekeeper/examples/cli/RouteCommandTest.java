package io.bridgekeeper.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.TopologyFiles;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteCommandTest {
  @TempDir Path dir;
  Path topology;
  RoutingTable table;

  @BeforeEach
  void writeTopology() throws IOException {
    topology = dir.resolve("t.yaml");
    Files.writeString(topology, "shards:\n  - id: a\n  - id: b\n  - id: c\n    state: draining\n");
    table = RoutingTable.of(TopologyFiles.load(topology));
  }

  record Result(int status, String out, String err) {}

  Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = BridgekeeperCli.run(args, new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsOneLinePerTargetInOrder() {
    Result r = run("", "route", "--topology", topology.toString(), "MyRoom", "/http-bind?room=myroom",
        "/Tenant/Caf%C3%A9", "Café", "/config.js");
    assertEquals(0, r.status(), r.err());
    String shard = table.route(RoomKey.ofRoomName("myroom")).id();
    String cafe = table.route(RoomKey.ofRoomName("café")).id();
    assertEquals(List.of("MyRoom\t" + shard, "/http-bind?room=myroom\t" + shard, "/Tenant/Caf%C3%A9\t" + cafe,
        "Café\t" + cafe, "/config.js\t-"), r.out().lines().toList());
    assertEquals("", r.err());
  }

  @Test
  void badTargetsReportAnErrorAndExitNonZero() {
    Result r = run("", "route", "--topology", topology.toString(), "good", "/http-bind?room=a%zz", "/http-bind",
        "other");
    assertEquals(1, r.status());
    assertEquals(List.of("good\t" + table.route(RoomKey.ofRoomName("good")).id(),
        "other\t" + table.route(RoomKey.ofRoomName("other")).id()), r.out().lines().toList());
    List<String> errors = r.err().lines().toList();
    assertEquals(2, errors.size(), r.err());
    assertTrue(errors.get(0).contains("/http-bind?room=a%zz") && errors.get(0).contains("MALFORMED_ESCAPE"));
    assertTrue(errors.get(1).contains("MISSING_ROOM"));
  }

  @Test
  void readsStandardInputWhenNoTargetIsGiven() {
    Result r = run("one\n/two\n\n/xmpp-websocket?room=three\n", "route", "--topology", topology.toString());
    assertEquals(0, r.status());
    assertEquals(3, r.out().lines().count());
    assertEquals("/xmpp-websocket?room=three\t" + table.route(RoomKey.ofRoomName("three")).id(),
        r.out().lines().toList().get(2));
    assertEquals(r.out(), run("one\n/two\n/xmpp-websocket?room=three\n", "route", "--topology",
        topology.toString(), "-").out());
  }

  @Test
  void usageAndTopologyErrors() {
    assertEquals(2, run("", "route", "x").status());
    assertEquals(2, run("", "route", "--topology").status());
    assertEquals(2, run("", "route", "--bogus", "--topology", topology.toString()).status());
    Result missing = run("", "route", "--topology", dir.resolve("none.json").toString(), "x");
    assertEquals(2, missing.status());
    assertTrue(missing.err().contains("no such file"), missing.err());
    assertEquals(2, run("", "frobnicate").status());
    assertEquals(0, run("", "help").status());
  }

  @Test
  void demoRunsOnTheBundledTopology() {
    Result r = run("", "demo");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("live rooms still on their shard: 3 of 3"), r.out());
    assertTrue(r.out().contains("/libs/app.bundle.min.js"), r.out());
  }

  @Test
  void bundledTopologyIsTheOneInTheRepository() throws IOException {
    Path repoCopy = Path.of("topologies/example.yaml");
    assertEquals(TopologyFiles.load(repoCopy), DemoCommand.loadDefault());
  }
}
