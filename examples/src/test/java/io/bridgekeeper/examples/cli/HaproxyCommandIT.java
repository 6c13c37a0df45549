package io.bridgekeeper.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.JitsiTargets;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.TopologyFiles;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridgekeeper haproxy generate} and {@code haproxy sync} against a real HAProxy, and
 * {@code bridgekeeper route} checked against what that HAProxy does.
 */
class HaproxyCommandIT {
  record Result(int status, String out, String err) {}

  static Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = BridgekeeperCli.run(args, new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Topology topology(EchoBackends backends, String... ids) {
    Topology.Builder b = Topology.builder().version(1);
    for (String id : ids) {
      b.shard(new Shard(id, 100, "", ShardState.ACTIVE, backends.address(id), null));
    }
    return b.build();
  }

  @Test
  void generatedConfigurationRoutesLikeTheRouteCommand(@TempDir Path dir) throws Exception {
    try (EchoBackends backends = EchoBackends.start(List.of("a", "b", "c", "static"))) {
      Path topologyFile = dir.resolve("topology.yaml");
      TopologyFiles.write(topology(backends, "a", "b", "c").withWeight("b", 200), topologyFile);
      Path out = dir.resolve("out");
      int port = HaproxyProcess.freePort();
      Result gen = run("", "haproxy", "generate", "--topology", topologyFile.toString(), "--out", out.toString(),
          "--bind", "127.0.0.1:" + port, "--stats-socket", out.resolve("admin.sock").toString(), "--no-log",
          "--static-server", backends.address("static"));
      assertEquals(0, gen.status(), gen.err());
      assertEquals(List.of(out.resolve("haproxy.cfg").toString(), out.resolve("buckets.map").toString(),
          out.resolve("pins.map").toString()), gen.out().lines().toList());

      List<String> targets = JitsiTargets.generate(5, 10_000);
      Result routed = run(String.join("\n", targets) + "\n", "route", "--topology", topologyFile.toString());
      assertEquals(0, routed.status(), routed.err());
      List<String> lines = routed.out().lines().toList();
      assertEquals(targets.size(), lines.size());
      try (HaproxyProcess haproxy = HaproxyProcess.startMasterWorker(out, out.resolve("haproxy.cfg"), port);
          RawHttpClient client = new RawHttpClient(port)) {
        for (int i = 0; i < targets.size(); i++) {
          RawHttpClient.Response r = client.get(targets.get(i));
          assertEquals(targets.get(i) + "\t" + r.body(), lines.get(i), "HAProxy answered " + r);
        }
      }
    }
  }

  @Test
  void syncWatchesTheTopologyFileAndKeepsLiveRoomsInPlace(@TempDir Path dir) throws Exception {
    try (EchoBackends backends = EchoBackends.start(List.of("a", "b", "c", "static"))) {
      Path topologyFile = dir.resolve("topology.yaml");
      Topology initial = topology(backends, "a", "b");
      TopologyFiles.write(initial, topologyFile);
      int port = HaproxyProcess.freePort();
      String[] configOptions = {"--bind", "127.0.0.1:" + port, "--stats-socket", dir.resolve("admin.sock").toString(),
          "--no-log", "--static-server", backends.address("static")};
      Result gen = run("", concat(new String[] {"haproxy", "generate", "--topology", topologyFile.toString(),
          "--out", dir.toString()}, configOptions));
      assertEquals(0, gen.status(), gen.err());

      List<String> targets = JitsiTargets.generate(9, 1000);
      List<String> live = targets.subList(0, 200);
      Path liveRooms = dir.resolve("live-rooms.txt");
      Files.write(liveRooms, live);
      Router before = Router.create(initial);
      Map<String, String> liveShard = new HashMap<>();
      live.forEach(t -> liveShard.put(t, before.route(t).orElseThrow().id()));

      try (HaproxyProcess haproxy = HaproxyProcess.startMasterWorker(dir, dir.resolve("haproxy.cfg"), port)) {
        ByteArrayOutputStream syncOut = new ByteArrayOutputStream();
        ByteArrayOutputStream syncErr = new ByteArrayOutputStream();
        String[] syncArgs = concat(new String[] {"haproxy", "sync", "--topology", topologyFile.toString(),
            "--socket", dir.resolve("admin.sock").toString(), "--map-dir", dir.toString(),
            "--master-socket", HaproxyProcess.masterSocket(dir).toString(),
            "--config", dir.resolve("haproxy.cfg").toString(), "--live-rooms", liveRooms.toString(),
            "--interval", "100ms", "--socket-timeout", "3s", "--reload-timeout", "20s"}, configOptions);
        Thread sync = new Thread(() -> BridgekeeperCli.run(syncArgs, new BufferedReader(new StringReader("")),
            new PrintStream(syncOut, true, StandardCharsets.UTF_8), new PrintStream(syncErr, true, StandardCharsets.UTF_8)),
            "bridgekeeper-sync");
        sync.start();
        try {
          await(() -> syncOut.toString(StandardCharsets.UTF_8).contains("v1\t"), "first push");
          // A third shard, added by editing the file: HAProxy reloads, live rooms stay.
          Topology next = topology(backends, "a", "b", "c").toBuilder().version(2).build();
          TopologyFiles.write(next, topologyFile);
          await(() -> syncOut.toString(StandardCharsets.UTF_8).contains("v2\t"), "push of v2");
          assertTrue(syncOut.toString(StandardCharsets.UTF_8).contains("ok (reloaded)"), syncOut.toString());
          Router after = Router.create(next);
          int moved = 0;
          try (RawHttpClient client = new RawHttpClient(port)) {
            for (String t : targets) {
              String shard = client.get(t).body();
              if (liveShard.containsKey(t)) {
                assertEquals(liveShard.get(t), shard, "live room " + t);
              } else {
                assertEquals(after.route(t).orElseThrow().id(), shard, t);
                moved += after.route(t).orElseThrow().id().equals("c") ? 1 : 0;
              }
            }
          }
          assertTrue(moved > 0, "new rooms reach the new shard");
          // A broken edit is reported and the running table stays.
          Files.writeString(topologyFile, "shards: [\n");
          await(() -> syncErr.toString(StandardCharsets.UTF_8).contains("keeping topology v2"), "the broken edit reported");
          try (RawHttpClient client = new RawHttpClient(port)) {
            for (String t : targets.subList(200, 400)) {
              assertEquals(after.route(t).orElseThrow().id(), client.get(t).body(), "still v2 after the broken edit: " + t);
            }
          }
        } finally {
          sync.interrupt();
          sync.join(10_000);
        }
        assertFalse(sync.isAlive(), "sync stops when interrupted");
      }
    }
  }

  @Test
  void generateRefusesWhatHaproxyRejectsAndWritesNothing(@TempDir Path dir) throws Exception {
    Path topologyFile = dir.resolve("topology.yaml");
    Files.writeString(topologyFile, "shards:\n  - id: a\n    address: 127.0.0.1:1\n");
    Path out = dir.resolve("out");
    Result r = run("", "haproxy", "generate", "--topology", topologyFile.toString(), "--out", out.toString(),
        "--bind-tls", "127.0.0.1:8443", "--cert", dir.resolve("missing.pem").toString(), "--no-log");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("missing.pem"), r.err());
    assertFalse(Files.exists(out.resolve("haproxy.cfg")));
    assertFalse(Files.exists(out.resolve("buckets.map")));

    Result usage = run("", "haproxy", "generate", "--topology", topologyFile.toString());
    assertEquals(2, usage.status());
    assertTrue(usage.err().contains("--out DIR is required"), usage.err());
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
