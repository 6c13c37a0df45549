package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.JitsiTargets;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topology changes pushed live to a real HAProxy in master-worker mode while clients keep
 * requesting — a shard added (new backend: hitless reload), a weight changed, a shard drained, a
 * drained shard removed once its rooms ended (reload again). Throughout: no request fails, live
 * rooms never change shard, and after each change HAProxy agrees with the router on every room.
 */
class LiveTopologyChangeIT {
  private static final RoomKeyRules RULES = RoomKeyRules.defaults();
  private static final java.util.concurrent.atomic.AtomicReference<String> PHASE = new java.util.concurrent.atomic.AtomicReference<>("");

  @Test
  void shardsComeAndGoWithoutAFailedRequestOrAMovedLiveRoom(@TempDir Path dir) throws Exception {
    try (EchoBackends backends = EchoBackends.start(List.of("a", "b", "c", "d", "static"))) {
      Topology initial = Topology.builder().version(1)
          .shard(new Shard("a", 100, "", ShardState.ACTIVE, backends.address("a"), null))
          .shard(new Shard("b", 100, "", ShardState.ACTIVE, backends.address("b"), null))
          .shard(new Shard("c", 100, "", ShardState.ACTIVE, backends.address("c"), null))
          .build();
      Router router = Router.create(initial);
      int port = HaproxyProcess.freePort();
      HaproxyConfig config = HaproxyConfig.builder().bind("127.0.0.1:" + port).mapDirectory(dir)
          .statsSocket(Optional.of(dir.resolve("admin.sock"))).logTarget(Optional.empty())
          .healthCheck(Duration.ofSeconds(2), 2, 1).hardStopAfter(Duration.ofSeconds(10))
          .staticServer(backends.address("static")).build();
      Path cfg = config.write(router.table(), dir);

      List<String> targets = JitsiTargets.generate(21, 3000);
      Map<String, RoomKey> keys = new HashMap<>();
      for (String t : targets) {
        keys.put(t, RULES.keyOfRequestTarget(t).orElseThrow());
      }
      // Every fifth target is a live room; it must stay where it is now until it ends.
      Map<String, String> liveShard = new HashMap<>();
      for (int i = 0; i < targets.size(); i += 5) {
        liveShard.put(targets.get(i), router.route(keys.get(targets.get(i))).id());
      }

      try (HaproxyProcess haproxy = HaproxyProcess.startMasterWorker(dir, cfg, port)) {
        HaproxySync sync = HaproxySync.of(List.of(new HaproxySync.Instance("lb", 
            HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(5)), dir,
            Optional.of(new HaproxySync.Reload(config, cfg,
                HaproxyMaster.unixSocket(HaproxyProcess.masterSocket(dir), Duration.ofSeconds(10)))))));
        assertAgreement(port, router, targets, liveShard);

        Load load = new Load(port, targets, liveShard);
        load.start(3);
        try {
          Map<String, String> live = new HashMap<>(liveShard);

          load.phase = "1.";
          // 1. A new shard: its backend does not exist yet, so HAProxy must reload.
          change(router, sync, live, keys, router.table().topology()
              .withShard(new Shard("d", 100, "", ShardState.ACTIVE, backends.address("d"), null)), true);
          assertTrue(live.values().stream().noneMatch("d"::equals));
          assertTrue(router.table().bucketCounts().getOrDefault("d", 0) > 0, "the new shard takes new rooms");

          load.phase = "2.";
          // 2. A weight change: maps only.
          change(router, sync, live, keys, router.table().topology().withWeight("b", 300), false);

          load.phase = "3.";
          // 3. Draining c: no new rooms, its live rooms stay.
          change(router, sync, live, keys, router.table().topology().withState("c", ShardState.DRAINING), false);
          assertEquals(0, router.table().bucketCounts().getOrDefault("c", 0));
          assertAgreement(port, router, targets, live);

          load.phase = "4.";
          // 4. c's rooms end, then c is removed (reload: its backend goes).
          live.values().removeIf("c"::equals);
          liveShard.values().removeIf("c"::equals);
          load.forget("c");
          change(router, sync, live, keys, router.table().topology().withoutShard("c"), true);
        } finally {
          load.stop();
        }
        assertEquals(List.of(), load.failures(), "failed requests during the changes");
        assertTrue(load.requests() > 1000, "the load kept running: " + load.requests());
        assertAgreement(port, router, targets, liveShard);
      }
    }
  }

  /** Routes {@code next} with the live rooms pinned, pushes it, checks whether HAProxy reloaded. */
  private static void change(Router router, HaproxySync sync, Map<String, String> live, Map<String, RoomKey> keys,
      Topology next, boolean expectReload) {
    List<RoomKey> liveKeys = live.keySet().stream().map(keys::get).toList();
    router.update(next, liveKeys);
    PHASE.set("pushing v" + next.version());
    List<HaproxySync.InstanceResult> results = sync.push(router.table());
    PHASE.set("pushed v" + next.version());
    assertTrue(results.get(0).ok(), () -> "push failed: " + results.get(0).failure());
    assertEquals(expectReload, results.get(0).reloaded(), "reloaded");
    for (Map.Entry<String, String> e : live.entrySet()) {
      assertEquals(e.getValue(), router.route(keys.get(e.getKey())).id(), "live room moved: " + e.getKey());
    }
  }

  private static void assertAgreement(int port, Router router, List<String> targets, Map<String, String> live)
      throws IOException {
    try (RawHttpClient client = new RawHttpClient(port)) {
      for (String target : targets) {
        RawHttpClient.Response r = client.get(target);
        assertEquals(200, r.status(), target);
        assertEquals(router.route(target).orElseThrow().id(), r.body(), target);
        if (live.containsKey(target)) {
          assertEquals(live.get(target), r.body(), "live room " + target);
        }
      }
    }
  }

  /** Clients that keep requesting rooms, without retrying anything, and record every failure. */
  private static final class Load {
    private final int port;
    private final List<String> targets;
    private final Map<String, String> liveShard;
    private final Set<String> forgotten = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    volatile String phase = "start";
    private final AtomicLong requests = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    Load(int port, List<String> targets, Map<String, String> liveShard) {
      this.port = port;
      this.targets = targets;
      this.liveShard = Map.copyOf(liveShard);
    }

    void start(int n) {
      for (int i = 0; i < n; i++) {
        long seed = i;
        Thread t = new Thread(() -> run(seed), "load-" + i);
        threads.add(t);
        t.start();
      }
    }

    /** Rooms of {@code shard} have ended: their answers are no longer checked. */
    void forget(String shard) {
      forgotten.add(shard);
    }

    private void run(long seed) {
      SplittableRandom rnd = new SplittableRandom(seed);
      RawHttpClient client = new RawHttpClient(port, false);
      try {
        while (running.get()) {
          String target = targets.get(rnd.nextInt(targets.size()));
          try {
            RawHttpClient.Response r = client.get(target);
            requests.incrementAndGet();
            String live = liveShard.get(target);
            if (r.status() != 200) {
              failures.add(target + " -> " + r.status() + " " + r.body());
            } else if (live != null && !forgotten.contains(live) && !live.equals(r.body())) {
              failures.add(phase + "/" + PHASE.get() + ": live room " + target + " answered by " + r.body() + " instead of " + live);
            }
          } catch (IOException e) {
            requests.incrementAndGet();
            failures.add(target + " -> " + e);
          }
        }
      } finally {
        client.close();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    long requests() {
      return requests.get();
    }

    List<String> failures() {
      return List.copyOf(failures).subList(0, Math.min(failures.size(), 20));
    }
  }
}
