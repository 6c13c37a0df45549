package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.haproxy.HaproxyRuntimeApi.ServerState;
import io.bridgekeeper.haproxy.HaproxyRuntimeException.Kind;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime-API client against a real HAProxy 2.6 admin socket on this machine. */
class HaproxyRuntimeApiIT {
  private static final String CONFIG = HaproxyProcess.TEST_PREAMBLE.replace("global\n",
      "global\n    stats socket {DIR}/admin.sock mode 600 level admin\n") + """
      frontend fe
          bind 127.0.0.1:{PORT}
          http-request set-var(txn.v) path,field(2,/),map_str({DIR}/test.map)
          http-request return status 200 content-type text/plain lf-string "[%[var(txn.v)]]"
      backend be_x
          server s1 127.0.0.1:9
      """;

  static Path dir;
  static HaproxyProcess haproxy;
  static HaproxyRuntimeApi api;
  static String mapFile;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("bk-runtime");
    mapFile = dir.resolve("test.map").toString();
    Files.writeString(dir.resolve("test.map"), "k1 v1\nk2 v2\n");
    haproxy = HaproxyProcess.start(dir, CONFIG.replace("{DIR}", dir.toString()));
    api = HaproxyRuntimeApi.unixSocket(dir.resolve("admin.sock"), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
  }

  @Test
  void showAndReplaceAMap() throws Exception {
    api.replaceMap(mapFile, Map.of("k1", "v1", "k2", "v2"));
    assertEquals(Map.of("k1", "v1", "k2", "v2"), api.showMap(mapFile));
    Map<String, String> big = new LinkedHashMap<>();
    for (int i = 0; i < 5000; i++) {
      big.put(Integer.toString(i), "shard_" + (i % 7));
    }
    api.replaceMap(mapFile, big);
    assertEquals(big, api.showMap(mapFile));
    try (RawHttpClient http = new RawHttpClient(haproxy.port)) {
      assertEquals("[shard_" + (4999 % 7) + "]", http.get("/4999/x").body());
      assertEquals("[]", http.get("/k1/x").body(), "the old entries are gone");
    }
  }

  /** Requests during repeated swaps always see a whole map, old or new, never an empty one. */
  @Test
  void swapsAreAtomicUnderLoad() throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    Map<String, String> b = new LinkedHashMap<>();
    for (int i = 0; i < 2000; i++) {
      a.put(Integer.toString(i), "A");
      b.put(Integer.toString(i), "B");
    }
    api.replaceMap(mapFile, a);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      java.util.List<Future<Integer>> readers = new java.util.ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int seen = 0;
          try (RawHttpClient http = new RawHttpClient(haproxy.port)) {
            while (!stop.get() && seen < 20_000) {
              String body = http.get("/" + (seen % 2000) + "/x").body();
              assertTrue(body.equals("[A]") || body.equals("[B]"), "request saw " + body);
              seen++;
            }
          }
          return seen;
        }));
      }
      for (int i = 0; i < 100; i++) {
        api.replaceMap(mapFile, i % 2 == 0 ? b : a);
      }
      stop.set(true);
      for (Future<Integer> reader : readers) {
        assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void serverStates() {
    for (ServerState state : new ServerState[] {ServerState.DRAIN, ServerState.MAINT, ServerState.READY}) {
      api.setServerState("be_x", "s1", state);
      String stat = api.execute("show stat");
      String line = stat.lines().filter(l -> l.startsWith("be_x,s1,")).findFirst().orElseThrow();
      String status = line.split(",")[17];
      switch (state) {
        case DRAIN -> assertEquals("DRAIN", status, line);
        case MAINT -> assertEquals("MAINT", status, line);
        case READY -> assertTrue(!status.equals("MAINT") && !status.equals("DRAIN"), line);
      }
    }
    HaproxyRuntimeException e = assertThrows(HaproxyRuntimeException.class,
        () -> api.setServerState("be_nope", "s1", ServerState.DRAIN));
    assertEquals(Kind.REJECTED, e.kind());
  }

  @Test
  void unsafeArgumentsAreRefusedBeforeAnythingIsSent() {
    api.replaceMap(mapFile, Map.of("k1", "v1"));
    for (String hostile : new String[] {"a;clear map " + mapFile, "a\nclear map " + mapFile, "a b", "", "#x"}) {
      HaproxyRuntimeException e = assertThrows(HaproxyRuntimeException.class,
          () -> api.replaceMap(mapFile, Map.of(hostile, "v")));
      assertEquals(Kind.UNSAFE_ARGUMENT, e.kind());
      e = assertThrows(HaproxyRuntimeException.class, () -> api.replaceMap(mapFile, Map.of("k", hostile)));
      assertEquals(Kind.UNSAFE_ARGUMENT, e.kind());
    }
    assertEquals(Kind.UNSAFE_ARGUMENT,
        assertThrows(HaproxyRuntimeException.class, () -> api.execute("show info; shutdown frontend fe")).kind());
    assertEquals(Map.of("k1", "v1"), api.showMap(mapFile), "the map is untouched");
  }

  @Test
  void failuresAreTyped() throws Exception {
    assertEquals(Kind.REJECTED, assertThrows(HaproxyRuntimeException.class,
        () -> api.showMap(dir.resolve("nope.map").toString())).kind());
    assertEquals(Kind.REJECTED, assertThrows(HaproxyRuntimeException.class,
        () -> api.replaceMap(dir.resolve("nope.map").toString(), Map.of("a", "b"))).kind());
    HaproxyRuntimeApi gone = HaproxyRuntimeApi.unixSocket(dir.resolve("missing.sock"), Duration.ofSeconds(1));
    assertEquals(Kind.CONNECT, assertThrows(HaproxyRuntimeException.class, () -> gone.execute("show info")).kind());
    // A listener that accepts and never answers: the deadline holds.
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress("127.0.0.1", 0));
      HaproxyRuntimeApi slow = HaproxyRuntimeApi.tcp(
          new InetSocketAddress("127.0.0.1", silent.getLocalPort()), Duration.ofMillis(300));
      long start = System.nanoTime();
      assertEquals(Kind.TIMEOUT, assertThrows(HaproxyRuntimeException.class, () -> slow.execute("show info")).kind());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }
  }
}
