package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.haproxy.HaproxyRuntimeException.Kind;
import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.simulation.SimulatedClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability of the reload path: real HAProxies in master-worker mode whose reload cannot happen
 * or cannot be confirmed — the master CLI unreachable or hung when a shard is added or a shard's
 * address changes, HAProxy refusing a configuration that {@code haproxy -c} accepts (a bind on a
 * port another socket holds), the master connection cut in the middle of the reload command, and
 * a master that reloads but then stops answering.
 *
 * <p>What must hold after every fault: the push reports that instance failed with a typed
 * {@link HaproxyRuntimeException} that says what went wrong — never success; the running HAProxy
 * routes every room by one whole table (the old one when no new worker started: requests and
 * {@code show map} agree with it); other instances are brought to the new table; and the next
 * push once the fault is gone reloads again rather than believing the earlier attempt worked.
 *
 * <p>A master that dies ({@code kill -9}) takes its worker with it in 2.6.12: nothing is left to
 * keep routing, so that case is a restart — the push fails for that instance only, and HAProxy
 * started again from the files serves the new table at once.
 */
class HaproxyReloadFaultsIT {
  private static final List<String> ECHOES = List.of("a", "b", "c", "b-moved", "static");
  private static final Pattern MASTER_PID = Pattern.compile("(?m)^(\\d+)\\s+master\\s");
  // Short, so the push against a frozen (SIGSTOPped) master times out in 2 s rather than the
  // default 5 s; generous for a master that works, which answers in milliseconds.
  private static final Duration MASTER_COMMAND_TIMEOUT = Duration.ofSeconds(2);

  private static EchoBackends echoes;
  /** Echo server address → the name it answers with. */
  private static final Map<String, String> ECHO_AT = new HashMap<>();
  private static final List<RoomKey> ROOMS = new ArrayList<>();
  private static final List<RoomKey> LIVE = new ArrayList<>();

  @BeforeAll
  static void startEchoes() throws IOException {
    echoes = EchoBackends.start(ECHOES);
    for (String name : ECHOES) {
      ECHO_AT.put(echoes.address(name), name);
    }
    for (int i = 0; i < 240; i++) {
      ROOMS.add(RoomKey.ofRoomName("reload room " + i));
    }
    LIVE.addAll(ROOMS.subList(0, 80));
  }

  @AfterAll
  static void stopEchoes() {
    echoes.close();
  }

  private static Shard shard(String id, String echo) {
    return new Shard(id, 100, "", ShardState.ACTIVE, echoes.address(echo), null);
  }

  /** v1: shards a and b. */
  private static RoutingTable t1() {
    return RoutingTable.of(Topology.builder().version(1).bucketCount(1024)
        .shard(shard("a", "a")).shard(shard("b", "b")).build());
  }

  /** v2: shard c added (a reload), live rooms whose bucket moved to c pinned where they are. */
  private static RoutingTable t2() {
    RoutingTable t1 = t1();
    RoutingTable t2 = t1.next(t1.topology().toBuilder().version(2).shard(shard("c", "c")).build(), LIVE);
    assertTrue(t2.pinCount() > 0, "some live rooms had to be pinned");
    return t2;
  }

  /** v3: shard b moved to another address — the same maps, only the configuration (a reload). */
  private static RoutingTable t3() {
    RoutingTable t2 = t2();
    Topology v3 = t2.topology().withShardChanged("b", s -> s.withAddress(echoes.address("b-moved")))
        .toBuilder().version(3).build();
    RoutingTable t3 = t2.next(v3, LIVE);
    assertEquals(HaproxyMaps.bucketEntries(t2), HaproxyMaps.bucketEntries(t3));
    assertEquals(HaproxyMaps.pinEntries(t2), HaproxyMaps.pinEntries(t3));
    return t3;
  }

  /** A running HAProxy whose configuration Bridgekeeper generates. */
  private record Lb(String name, Path dir, int port, HaproxyConfig config, Path cfg, HaproxyProcess process,
      HaproxyRuntimeApi api, HaproxyRuntimeApi masterCli) implements AutoCloseable {
    static Lb start(String name, Path dir, RoutingTable table) throws Exception {
      int port = HaproxyProcess.freePort();
      HaproxyConfig config = config(dir, port).build();
      Path cfg = config.write(table, dir);
      HaproxyProcess process = HaproxyProcess.startMasterWorker(dir, cfg, port);
      Lb lb = new Lb(name, dir, port, config, cfg, process,
          HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(5)),
          HaproxyRuntimeApi.masterSocket(HaproxyProcess.masterSocket(dir), Duration.ofSeconds(5)));
      HaproxyFaultsIT.awaitAdminSocket(lb.api);
      return lb;
    }

    static HaproxyConfig.Builder config(Path dir, int port) {
      return HaproxyConfig.builder().bind("127.0.0.1:" + port).mapDirectory(dir)
          .statsSocket(Optional.of(dir.resolve("admin.sock"))).logTarget(Optional.empty())
          .healthCheck(Duration.ofSeconds(2), 2, 1).hardStopAfter(Duration.ofSeconds(5))
          .staticServer(echoes.address("static"));
    }

    HaproxySync.Instance instance(HaproxyConfig config, Path masterSocket, Duration reloadTimeout) {
      return new HaproxySync.Instance(name, api, dir, Optional.of(new HaproxySync.Reload(config, cfg,
          HaproxyMaster.unixSocket(masterSocket, reloadTimeout, MASTER_COMMAND_TIMEOUT))));
    }

    HaproxySync.Instance instance() {
      return instance(config, HaproxyProcess.masterSocket(dir), Duration.ofSeconds(10));
    }

    HaproxyMaster.Processes processes() {
      return HaproxyMaster.unixSocket(HaproxyProcess.masterSocket(dir), Duration.ofSeconds(5)).processes();
    }

    long masterPid() {
      Matcher m = MASTER_PID.matcher(masterCli.execute("show proc"));
      assertTrue(m.find());
      return Long.parseLong(m.group(1));
    }

    /** Starts HAProxy again on the files as they are now (after its master died). */
    Lb restart() throws Exception {
      Lb lb = new Lb(name, dir, port, config, cfg, HaproxyProcess.startMasterWorker(dir, cfg, port), api, masterCli);
      HaproxyFaultsIT.awaitAdminSocket(api);
      return lb;
    }

    @Override
    public void close() {
      process.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void masterUnreachableOrHungWhenAReloadIsNeeded(@TempDir Path root) throws Exception {
    RoutingTable t1 = t1();
    RoutingTable t2 = t2();
    RoutingTable t3 = t3();
    try (Lb lb1 = Lb.start("lb1", Files.createDirectories(root.resolve("lb1")), t1);
        Lb lb2 = Lb.start("lb2", Files.createDirectories(root.resolve("lb2")), t1)) {
      HaproxySync sync = HaproxySync.of(List.of(lb1.instance(), lb2.instance()));
      assertAllOk(sync.push(t1), false);
      assertServes(lb1, t1);

      // 1. lb1's master CLI is unreachable (its socket gone) when shard c is added.
      Path master = HaproxyProcess.masterSocket(lb1.dir());
      Path away = lb1.dir().resolve("master.sock.away");
      Files.move(master, away);
      List<HaproxySync.InstanceResult> results;
      try {
        results = sync.push(t2);
      } finally {
        Files.move(away, master);
      }
      HaproxyRuntimeException cause = failure(results.get(0), Kind.CONNECT);
      assertTrue(cause.getMessage().contains("master CLI") && cause.getMessage().contains(master.toString()),
          cause.getMessage());
      assertTrue(results.get(1).ok() && results.get(1).reloaded(), "lb2 is brought to v2: " + results.get(1));
      assertFalse(runningBackends(lb1).contains("shard_c"), "lb1 was not reloaded");
      assertServes(lb1, t1); // the old worker, old maps: all of v1, nothing of v2
      assertServes(lb2, t2);
      assertFiles(lb1, lb1.config(), t2); // a restart would start at v2
      long worker = lb1.processes().workerPid();

      HaproxySync.InstanceResult repaired = sync.push(t2).get(0);
      assertTrue(repaired.ok() && repaired.reloaded(), "the next push reloads lb1: " + repaired);
      assertTrue(lb1.processes().workerPid() != worker, "a new worker");
      assertServes(lb1, t2);

      // 2. lb1's master hangs (SIGSTOP) when shard b moves to another address: same maps, new
      // configuration. The push times out; the next one must reload although the file on disk
      // is already the new configuration and the worker already has every backend.
      long masterPid = lb1.masterPid();
      signal("STOP", masterPid);
      try {
        results = sync.push(t3);
      } finally {
        signal("CONT", masterPid);
      }
      cause = failure(results.get(0), Kind.TIMEOUT);
      assertTrue(cause.getMessage().contains("master CLI"), cause.getMessage());
      assertTrue(results.get(1).ok() && results.get(1).reloaded(), "lb2 is brought to v3: " + results.get(1));
      assertServes(lb1, t2); // b's rooms still reach b's old address
      assertServes(lb2, t3);
      assertEquals(lb1.config().render(t3.topology()), Files.readString(lb1.cfg()));

      HaproxySync.InstanceResult again = sync.push(t3).get(0);
      assertTrue(again.ok(), () -> "the next push repairs lb1: " + again);
      // Before the fix: "ok", no reload, and b's rooms still went to b's old address.
      assertServes(lb1, t3);
      assertTrue(again.reloaded(), "the next push reloads lb1 (the file was already v3, the worker had every"
          + " backend, but it never loaded v3)");
      assertAllOk(sync.push(t3), false); // and then it is in sync: nothing more to do

      // 2b. The bucket count halves (the configuration's mod(B) changes) while lb1's master CLI is
      // unreachable. Swapping the new maps into the running worker would send half of all rooms to
      // buckets its old mod(B) never looks up: the push must neither do that nor, next time, skip
      // the reload because the file is already current.
      RoutingTable t3b = t3.next(t3.topology().toBuilder().version(4).bucketCount(512).build(), LIVE);
      Files.move(master, away);
      try {
        results = sync.push(t3b);
      } finally {
        Files.move(away, master);
      }
      failure(results.get(0), Kind.CONNECT);
      assertTrue(results.get(1).ok() && results.get(1).reloaded(), "lb2 is brought to v4: " + results.get(1));
      assertServes(lb1, t3);
      assertServes(lb2, t3b);
      HaproxySync.InstanceResult rebucketed = sync.push(t3b).get(0);
      assertTrue(rebucketed.ok(), () -> String.valueOf(rebucketed));
      // Before the fix: "ok" without a reload, and rooms in buckets 512-1023 answered 503.
      assertServes(lb1, t3b);
      assertTrue(rebucketed.reloaded());

      // 3. lb1's master dies (SIGKILL). In 2.6.12 its worker exits with it: nothing is left to
      // route, so this is a restart. The push (shard c removed) fails for lb1 only, and lb1
      // restarted from the files is at v5 at once. (The next push reloads it once more — the sync
      // cannot tell a restart from a worker that never loaded the file — which is hitless.)
      RoutingTable t4 = t3b.next(t3b.topology().withoutShard("c").toBuilder().version(5).build(), List.of());
      signal("KILL", lb1.masterPid());
      awaitRefused(lb1.port());
      results = sync.push(t4);
      failure(results.get(0), Kind.CONNECT);
      assertTrue(results.get(1).ok() && results.get(1).reloaded(), "lb2 is brought to v5: " + results.get(1));
      assertServes(lb2, t4);
      try (Lb restarted = lb1.restart()) {
        assertServes(restarted, t4);
        HaproxySync.InstanceResult afterRestart = sync.push(t4).get(0);
        assertTrue(afterRestart.ok(), () -> String.valueOf(afterRestart));
        assertServes(restarted, t4);
        assertAllOk(sync.push(t4), false);
      }
    }
  }

  /**
   * A sync that crashed between writing a configuration and reloading HAProxy leaves the file
   * ahead of the worker; a new process has no memory of that. The worker's fingerprint says it.
   */
  @Test
  void aRestartedSyncReloadsAConfigurationWrittenButNeverLoaded(@TempDir Path dir) throws Exception {
    RoutingTable t2 = t2();
    RoutingTable t3 = t3(); // only shard b's address changes: every backend is there already
    try (Lb lb = Lb.start("lb", dir, t2)) {
      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t2), false);
      String v3 = lb.config().render(t3.topology());
      assertNotEquals(HaproxyConfig.fingerprint(Files.readString(lb.cfg())), HaproxyConfig.fingerprint(v3));
      Files.writeString(lb.cfg(), v3); // the crashed process's last act

      List<HaproxySync.InstanceResult> results = HaproxySync.of(List.of(lb.instance())).push(t3);
      assertAllOk(results, true);
      assertServes(lb, t3); // b's rooms reach b-moved
      assertEquals(HaproxyConfig.fingerprint(v3),
          HaproxyConfig.runningFingerprint(lb.api().execute("show info")), "the worker names the new file");
      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t3), false);
    }
  }

  /**
   * The same for a fragment the operator's own file includes ({@code haproxy -f DIR} loads every
   * {@code *.cfg} in it): it names itself in an empty backend, which {@code show backend} lists.
   */
  @Test
  void aRestartedSyncReloadsAFragmentWrittenButNeverLoaded(@TempDir Path dir) throws Exception {
    RoutingTable t2 = t2();
    RoutingTable t3 = t3();
    int port = HaproxyProcess.freePort();
    Files.writeString(dir.resolve("00-operator.cfg"), "global\n    master-worker\n    stats socket "
        + dir.resolve("admin.sock") + " mode 600 level admin\n    hard-stop-after 5s\n\ndefaults\n    mode http\n"
        + "    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n");
    HaproxyConfig fragment = Lb.config(dir, port).fragment(true).build();
    Path cfg = fragment.write(t2, dir);
    assertEquals(dir.resolve("bridgekeeper.cfg"), cfg);
    try (Lb lb = new Lb("lb", dir, port, fragment, cfg, HaproxyProcess.startMasterWorker(dir, dir, port),
        HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(5)),
        HaproxyRuntimeApi.masterSocket(HaproxyProcess.masterSocket(dir), Duration.ofSeconds(5)))) {
      HaproxyFaultsIT.awaitAdminSocket(lb.api());
      String v2 = Files.readString(cfg);
      assertTrue(runningBackends(lb)
          .contains("bridgekeeper_config_" + HaproxyConfig.fingerprint(v2).orElseThrow()), "show backend names it");
      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t2), false);
      assertServes(lb, t2);

      String v3 = fragment.render(t3.topology());
      assertNotEquals(HaproxyConfig.fingerprint(v2), HaproxyConfig.fingerprint(v3));
      Files.writeString(cfg, v3); // the crashed process's last act: every backend of v3 is running already

      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t3), true);
      assertServes(lb, t3); // b's rooms reach b-moved
      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t3), false);
    }
  }

  @Test
  void reloadRefusedByHaproxyKeepsTheOldWorkerAndIsRetried(@TempDir Path dir) throws Exception {
    RoutingTable t1 = t1();
    RoutingTable t2 = t2();
    try (Lb lb = Lb.start("lb", dir, t1);
        ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertAllOk(HaproxySync.of(List.of(lb.instance())).push(t1), false);
      HaproxyMaster.Processes before = lb.processes();

      // The operator adds a bind (say, a second port) and restarts the sync; another process holds
      // that port. haproxy -c does not bind, so it accepts the configuration; the reload cannot.
      int heldPort = holder.getLocalPort();
      HaproxyConfig withBind = Lb.config(dir, lb.port()).bind("127.0.0.1:" + heldPort).build();
      SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-24T10:00:00Z"));
      HaproxySync sync = HaproxySync.of(List.of(lb.instance(withBind, HaproxyProcess.masterSocket(dir),
          Duration.ofSeconds(10)))).withReloadBackoff(Duration.ofSeconds(30), Duration.ofMinutes(10), clock);

      ConnectProbe probe = new ConnectProbe(lb.port());
      HaproxyRuntimeException cause;
      try {
        cause = failure(sync.push(t1).get(0), Kind.REJECTED);
      } finally {
        probe.stop();
      }
      // Not a property of the sync: HAProxy 2.6 pauses the old worker's listeners while it tries
      // the new configuration, so new connections are refused until it gives up. Printed, not
      // asserted; it is why a reload that keeps failing costs something each time it is retried.
      System.out.printf("refused reload: %d of %d connection attempts refused, for %d ms%n",
          probe.refused.get(), probe.attempts.get(), probe.refusedMillis());
      // HAProxy 2.6 tells why only in its own log ("cannot bind socket (Address already in use)"):
      // the master CLI has no startup logs for a failed reload. The error names the file and says so.
      assertTrue(cause.getMessage().contains(lb.cfg().toString())
          && cause.getMessage().contains("could not start a worker with the new configuration"), cause.getMessage());
      HaproxyMaster.Processes refused = lb.processes();
      assertEquals(before.reloads() + 1, refused.reloads());
      assertEquals(1, refused.failedReloads());
      assertEquals(before.workerPid(), refused.workerPid(), "the old worker keeps serving");
      assertServes(lb, t1);

      // The same push again at once: not believed done, but not tried again before the backoff.
      HaproxyRuntimeException waiting = failure(sync.push(t1).get(0), Kind.REJECTED);
      assertTrue(waiting.getMessage().contains("not reloading it again before 2026-11-24T10:00:30Z"),
          waiting.getMessage());
      assertEquals(refused.reloads(), lb.processes().reloads(), "no reload within the backoff");
      clock.advance(Duration.ofSeconds(30));
      failure(sync.push(t1).get(0), Kind.REJECTED);
      assertEquals(refused.reloads() + 1, lb.processes().reloads(), "after the backoff the push retried the reload");
      clock.advance(Duration.ofSeconds(59)); // the second refusal doubled it
      failure(sync.push(t1).get(0), Kind.REJECTED);
      assertEquals(refused.reloads() + 1, lb.processes().reloads(), "60 s after a second refusal");

      // A shard added while the port is still held: a new configuration is tried at once; refused,
      // and the old worker keeps the old maps.
      failure(sync.push(t2).get(0), Kind.REJECTED);
      assertEquals(refused.reloads() + 2, lb.processes().reloads());
      assertEquals(before.workerPid(), lb.processes().workerPid());
      assertFalse(runningBackends(lb).contains("shard_c"));
      assertServes(lb, t1);
      assertFiles(lb, withBind, t2);

      holder.close();
      clock.advance(Duration.ofSeconds(30));
      HaproxySync.InstanceResult repaired = sync.push(t2).get(0);
      assertTrue(repaired.ok() && repaired.reloaded(), () -> "the port is free: the push reloads: " + repaired);
      HaproxyMaster.Processes after = lb.processes();
      assertEquals(0, after.failedReloads());
      assertTrue(after.workerPid() != before.workerPid());
      assertServes(lb, t2);
      assertServes(lb, heldPort, t2); // the new bind serves too
      assertAllOk(sync.push(t2), false);
    }
  }

  @Test
  void masterConnectionCutDuringTheReloadIsNoSuccess(@TempDir Path dir) throws Exception {
    RoutingTable t1 = t1();
    RoutingTable t2 = t2();
    RoutingTable t3 = t3();
    try (Lb lb = Lb.start("lb", dir, t1);
        MasterRelay relay = new MasterRelay(dir.resolve("relay.sock"), HaproxyProcess.masterSocket(dir))) {
      HaproxySync sync = HaproxySync.of(List.of(lb.instance(lb.config(), relay.path, Duration.ofSeconds(3))));
      assertAllOk(sync.push(t1), false);
      HaproxyMaster.Processes before = lb.processes();

      // 1. The connection is cut after "rel" of "reload": the master never reloads. No new worker
      // appears before the reload timeout.
      relay.mode(MasterRelay.Mode.CUT_RELOAD_COMMAND);
      HaproxyRuntimeException cause = failure(sync.push(t2).get(0), Kind.TIMEOUT);
      assertTrue(cause.getMessage().contains("no new HAProxy worker"), cause.getMessage());
      assertEquals(1, relay.cutReloads.get());
      assertEquals(before.reloads(), lb.processes().reloads(), "the master did not reload");
      assertEquals(before.workerPid(), lb.processes().workerPid());
      assertServes(lb, t1);

      relay.mode(MasterRelay.Mode.PASS);
      HaproxySync.InstanceResult repaired = sync.push(t2).get(0);
      assertTrue(repaired.ok() && repaired.reloaded(), () -> "the next push reloads: " + repaired);
      assertServes(lb, t2);

      // 2. The reload reaches the master (which reloads), then the master CLI stops answering:
      // the sync cannot see the new worker, so the push is not a success — although HAProxy did
      // reload, and from the files it serves the new table whole.
      relay.mode(MasterRelay.Mode.SILENT_AFTER_RELOAD);
      long worker = lb.processes().workerPid();
      int forwarded = relay.forwardedReloads.get();
      failure(sync.push(t3).get(0), Kind.TIMEOUT);
      assertEquals(forwarded + 1, relay.forwardedReloads.get());
      awaitNewWorker(lb, worker);
      assertServes(lb, t3);

      relay.mode(MasterRelay.Mode.PASS);
      HaproxySync.InstanceResult again = sync.push(t3).get(0);
      assertTrue(again.ok(), () -> "the next push succeeds: " + again);
      assertServes(lb, t3);
      assertAllOk(sync.push(t3), false);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static HaproxyRuntimeException failure(HaproxySync.InstanceResult result, Kind kind) {
    assertFalse(result.ok(), () -> result.instance() + " reported in sync after a reload fault");
    HaproxyRuntimeException e = assertInstanceOf(HaproxyRuntimeException.class, result.failure().get());
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  private static void assertAllOk(List<HaproxySync.InstanceResult> results, boolean reloaded) {
    for (HaproxySync.InstanceResult r : results) {
      assertTrue(r.ok(), () -> r.instance() + ": " + r.failure());
      assertEquals(reloaded, r.reloaded(), r.instance() + " reloaded");
    }
  }

  private static java.util.Set<String> runningBackends(Lb lb) {
    return HaproxySync.runningBackends(lb.api());
  }

  private static void assertFiles(Lb lb, HaproxyConfig config, RoutingTable table) throws IOException {
    assertEquals(HaproxyMaps.bucketsMap(table), Files.readString(lb.dir().resolve(HaproxyMaps.BUCKETS_MAP)));
    assertEquals(HaproxyMaps.pinsMap(table), Files.readString(lb.dir().resolve(HaproxyMaps.PINS_MAP)));
    assertEquals(config.render(table.topology()), Files.readString(lb.cfg()));
  }

  private static void assertServes(Lb lb, RoutingTable table) throws IOException {
    assertServes(lb, lb.port(), table);
  }

  /**
   * The running maps are exactly {@code table}'s, and every room — live ones pinned or not — is
   * answered by the echo server at the address {@code table} gives its shard.
   */
  private static void assertServes(Lb lb, int port, RoutingTable table) throws IOException {
    String v = "v" + table.topology().version();
    assertEquals(HaproxyMaps.bucketEntries(table), lb.api().showMap(lb.dir().resolve(HaproxyMaps.BUCKETS_MAP).toString()),
        "running buckets at " + v);
    assertEquals(HaproxyMaps.pinEntries(table), lb.api().showMap(lb.dir().resolve(HaproxyMaps.PINS_MAP).toString()),
        "running pins at " + v);
    try (RawHttpClient http = new RawHttpClient(port)) {
      for (RoomKey room : ROOMS) {
        RawHttpClient.Response r = http.get("/http-bind?room=" + HaproxyMapsIT.percentEncode(room.bytes()));
        assertEquals(200, r.status(), room + " at " + v);
        assertEquals(ECHO_AT.get(table.route(room).address()), r.body(), room + " at " + v);
      }
    }
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
  }


  /** Waits until nothing accepts connections on {@code port} any more. */
  private static void awaitRefused(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      } catch (IOException refused) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "HAProxy still accepts on " + port + " after its master died");
      Thread.sleep(20);
    }
  }

  private static void awaitNewWorker(Lb lb, long old) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        if (lb.processes().workerPid() != old) {
          HaproxyFaultsIT.awaitAdminSocket(lb.api());
          return;
        }
      } catch (HaproxyRuntimeException reExecuting) {
        // the master re-executes for a moment
      }
      assertTrue(System.nanoTime() < deadline, "no new worker");
      Thread.sleep(20);
    }
  }

  /** Opens and closes TCP connections to a port in a loop, counting the refused ones. */
  static final class ConnectProbe {
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    private volatile long firstRefused;
    private volatile long lastRefused;
    private volatile boolean running = true;
    private final Thread thread;

    ConnectProbe(int port) {
      thread = new Thread(() -> {
        while (running) {
          attempts.incrementAndGet();
          try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
          } catch (IOException e) {
            long now = System.nanoTime();
            if (refused.getAndIncrement() == 0) {
              firstRefused = now;
            }
            lastRefused = now;
          }
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "connect-probe");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }

    long refusedMillis() {
      return refused.get() == 0 ? 0 : (lastRefused - firstRefused) / 1_000_000;
    }
  }

  /**
   * A Unix socket in front of HAProxy's master CLI. The master answers once the client
   * half-closes, so the relay reads the whole command first, then does what its mode says.
   */
  static final class MasterRelay implements AutoCloseable {
    enum Mode {
      PASS,
      /** A {@code reload} command is cut after 3 bytes: the master sees "rel" and the end. */
      CUT_RELOAD_COMMAND,
      /** A {@code reload} goes through; every later connection is closed unanswered. */
      SILENT_AFTER_RELOAD
    }

    final Path path;
    private final Path master;
    private final ServerSocketChannel server;
    private volatile Mode mode = Mode.PASS;
    private volatile boolean reloaded;
    final AtomicInteger cutReloads = new AtomicInteger();
    final AtomicInteger forwardedReloads = new AtomicInteger();

    MasterRelay(Path path, Path master) throws IOException {
      this.path = path;
      this.master = master;
      this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(path));
      Thread t = new Thread(this::serve, "master-cli-relay");
      t.setDaemon(true);
      t.start();
    }

    void mode(Mode m) {
      reloaded = false;
      mode = m;
    }

    private void serve() {
      while (server.isOpen()) {
        SocketChannel client;
        try {
          client = server.accept();
        } catch (IOException closed) {
          return;
        }
        Thread t = new Thread(() -> relay(client), "master-cli-relay-connection");
        t.setDaemon(true);
        t.start();
      }
    }

    private void relay(SocketChannel client) {
      try (client) {
        byte[] request = readAll(client);
        boolean reload = new String(request, StandardCharsets.US_ASCII).strip().equals("reload");
        Mode m = mode;
        if (m == Mode.SILENT_AFTER_RELOAD && reloaded) {
          return; // closed without an answer
        }
        try (SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          upstream.connect(UnixDomainSocketAddress.of(master));
          if (reload && m == Mode.CUT_RELOAD_COMMAND) {
            cutReloads.incrementAndGet();
            upstream.write(ByteBuffer.wrap(request, 0, 3));
            return; // both sides closed
          }
          upstream.write(ByteBuffer.wrap(request));
          upstream.shutdownOutput();
          if (reload) {
            forwardedReloads.incrementAndGet();
            reloaded = true;
          }
          byte[] answer = readAll(upstream);
          client.write(ByteBuffer.wrap(answer));
        }
      } catch (IOException e) {
        // the master re-executing, or a cut: the client sees the connection end
      }
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(4096);
      while (channel.read(buf) >= 0) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
      server.close();
      Files.deleteIfExists(path);
    }
  }
}
