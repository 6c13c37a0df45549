package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.JitsiTargets;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated configuration, run by a real HAProxy 2.6 in front of loopback backends that answer
 * with their shard name: for every URL form of the routing contract HAProxy must send the request
 * to the shard {@link Router#route} names, and refuse what the Java side refuses.
 */
class GeneratedConfigIT {
  static final List<String> SHARDS = List.of("eu-1", "eu-2", "us-1", "us-2");

  static Topology topology(EchoBackends backends, RoomKeyRules rules) {
    return Topology.builder().version(1).roomKeys(rules)
        .shard(new Shard("eu-1", 100, "eu", ShardState.ACTIVE, backends.address("eu-1"), null))
        .shard(new Shard("eu-2", 150, "eu", ShardState.ACTIVE, backends.address("eu-2"), null))
        .shard(new Shard("us-1", 100, "us", ShardState.ACTIVE, backends.address("us-1"), null))
        .shard(new Shard("us-2", 100, "us", ShardState.DRAINING, backends.address("us-2"), null))
        .build();
  }

  /** HAProxy on the generated configuration and maps of {@code table}, in front of {@code backends}. */
  static HaproxyProcess startGenerated(Path dir, RoutingTable table, EchoBackends backends) throws Exception {
    int port = HaproxyProcess.freePort();
    HaproxyConfig config = HaproxyConfig.builder().bind("127.0.0.1:" + port).mapDirectory(dir)
        .logTarget(Optional.empty()).statsSocket(Optional.empty()).masterWorker(false)
        .staticServer(backends.address("static")).build();
    return HaproxyProcess.start(dir, java.nio.file.Files.readString(config.write(table, dir)), port);
  }

  @Test
  void haproxyRoutesEveryUrlFormLikeTheRouter(@TempDir Path dir) throws Exception {
    assertAgreement(dir, RoomKeyRules.defaults(), 10_000, 7);
  }

  @Test
  void tenantInKeyRoutesLikeTheRouterToo(@TempDir Path dir) throws Exception {
    assertAgreement(dir, RoomKeyRules.defaults().withTenantInKey(true), 3_000, 8);
  }

  private static void assertAgreement(Path dir, RoomKeyRules rules, int rooms, long seed) throws Exception {
    try (EchoBackends backends = EchoBackends.start(List.of("eu-1", "eu-2", "us-1", "us-2", "static"))) {
      Topology topology = topology(backends, rules);
      Router router = Router.create(topology);
      // Live rooms pinned to the draining shard stay there.
      List<String> targets = JitsiTargets.generate(seed, rooms);
      Map<io.bridgekeeper.routing.RoomKey, String> pins = new HashMap<>();
      for (int i = 0; i < targets.size(); i += 50) {
        rules.keyOfRequestTarget(targets.get(i)).ifPresent(k -> pins.put(k, "us-2"));
      }
      router.pinAll(pins);
      RoutingTable table = router.table();
      try (HaproxyProcess haproxy = startGenerated(dir, table, backends);
          RawHttpClient client = new RawHttpClient(haproxy.port)) {
        int pinned = 0;
        for (String target : targets) {
          RawHttpClient.Response r = client.get(target);
          String expected = router.route(target).map(Shard::id).orElse("static");
          assertEquals(200, r.status(), () -> target + " -> " + r.body());
          assertEquals(expected, r.body(), target);
          if (expected.equals("us-2")) {
            pinned++;
          }
        }
        assertTrue(pinned >= pins.size(), "pinned rooms reached the draining shard: " + pinned);
        for (String staticTarget : List.of("/", "/config.js", "/libs/app.bundle.min.js", "/static/x/y.css",
            "/acme/room-size", "/images/logo", "/a/b/c")) {
          assertEquals("static", client.get(staticTarget).body(), staticTarget);
        }
      }
    }
  }

  @Test
  void refusesWhatTheRouterRefuses(@TempDir Path dir) throws Exception {
    RoomKeyRules rules = RoomKeyRules.defaults().withMaxKeyBytes(64);
    try (EchoBackends backends = EchoBackends.start(List.of("eu-1", "eu-2", "us-1", "us-2", "static"))) {
      Topology topology = topology(backends, rules);
      RoutingTable table = RoutingTable.of(topology);
      try (HaproxyProcess haproxy = startGenerated(dir, table, backends);
          RawHttpClient client = new RawHttpClient(haproxy.port)) {
        String long65 = "a".repeat(65);
        for (String bad : List.of("/http-bind", "/http-bind?room=", "/acme/xmpp-websocket?token=x",
            "/http-bind?room=%zz", "/http-bind?room=abc%4", "/abc%e", "/acme/abc%G1",
            "/http-bind?room=a%00b", "/http-bind?room=a%1Fb", "/x%7Fy", "/_unlock?room=%0a",
            "/http-bind?room=" + long65, "/" + long65, "/conference-request/v1?rooms=x")) {
          RawHttpClient.Response r = client.get(bad);
          assertEquals(400, r.status(), () -> bad + " -> " + r.status() + " " + r.body());
          org.junit.jupiter.api.Assertions.assertThrows(RoomKeyException.class, () -> rules.keyOfRequestTarget(bad),
              bad);
        }
        String long64 = "a".repeat(64);
        for (String good : List.of("/http-bind?room=" + long64, "/" + long64, "/http-bind?room=a%20b", "/a+b")) {
          RawHttpClient.Response r = client.get(good);
          assertEquals(table.route(rules.keyOfRequestTarget(good).orElseThrow()).id(), r.body(), good);
        }
      }
    }
  }

  @Test
  void roomsWithoutAShardGet503(@TempDir Path dir) throws Exception {
    try (EchoBackends backends = EchoBackends.start(List.of("eu-1", "eu-2", "us-1", "us-2", "static"))) {
      Topology drained = Topology.builder().version(1)
          .shard(new Shard("eu-1", 100, "", ShardState.DRAINING, backends.address("eu-1"), null))
          .shard(new Shard("eu-2", 100, "", ShardState.DOWN, backends.address("eu-2"), null)).build();
      RoutingTable table = RoutingTable.of(drained);
      org.junit.jupiter.api.Assertions.assertThrows(io.bridgekeeper.routing.NoRouteException.class,
          () -> table.route(RoomKeyRules.defaults().keyOfRequestTarget("/http-bind?room=x").orElseThrow()));
      try (HaproxyProcess haproxy = startGenerated(dir, table, backends);
          RawHttpClient client = new RawHttpClient(haproxy.port)) {
        for (String target : List.of("/http-bind?room=x", "/SomeRoom", "/acme/xmpp-websocket?room=y")) {
          RawHttpClient.Response r = client.get(target);
          assertEquals(503, r.status(), () -> target + " -> " + r.body());
        }
        assertEquals("static", client.get("/config.js").body());
      }
    }
  }
}
