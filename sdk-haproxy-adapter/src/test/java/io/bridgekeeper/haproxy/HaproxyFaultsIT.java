package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability: the runtime-API socket goes away in the middle of a sync — cut after a few bytes
 * of any command, in the middle of a bulk payload, or in the middle of HAProxy's answer — and
 * HAProxy is restarted. A loopback relay between the sync and a real HAProxy's admin socket cuts
 * the connection where each case says.
 *
 * <p>What must hold after every fault: the push reports the instance as failed (never as in
 * sync), the map files on disk are whole and equal to the new table (a restart loads them), each
 * running map is the old table's, the new one's, or (pins only) their union, and every running
 * map value is a declared backend — never a truncated one; the next push with the socket back
 * repairs the instance. After a restart HAProxy routes by the files alone, and a push keeps it
 * in sync.
 */
class HaproxyFaultsIT {
  private static final String CONFIG = HaproxyProcess.TEST_PREAMBLE.replace("global\n",
      "global\n    stats socket {DIR}/admin.sock mode 600 level admin\n") + HaproxyMapsIT.ROUTING_FRONTEND;
  private static final Set<String> BACKENDS = Set.of("shard_s1", "shard_s2", "shard_s3", "shard_s4");

  /** Where the relay cuts: the {@code connection}-th call of the push, after {@code bytes} of the request or the answer. */
  record Cut(int connection, boolean inAnswer, int bytes) {}

  @Test
  void socketGoneMidSyncAndHaproxyRestarted(@TempDir Path dir) throws Exception {
    String config = CONFIG.replace("{DIR}", dir.toString());
    Path admin = dir.resolve("admin.sock");
    HaproxyRuntimeApi direct = HaproxyRuntimeApi.unixSocket(admin, Duration.ofSeconds(5));
    try (Relay relay = new Relay(admin)) {
      HaproxySync sync = HaproxySync.of(List.of(new HaproxySync.Instance("lb",
          HaproxyRuntimeApi.tcp(relay.address(), Duration.ofSeconds(3)), dir)), BACKENDS);
      int version = 0;
      RoutingTable current = table(version);
      sync.push(current); // HAProxy not running: writes the files it will start from
      HaproxyProcess haproxy = HaproxyProcess.start(dir, config);
      try {
        awaitAdminSocket(direct);
        HaproxySync.InstanceResult first = sync.push(current).get(0);
        assertTrue(first.ok(), () -> String.valueOf(first.failure()));
        assertRunning(direct, dir, current);

        // A push makes 1 show map + up to 3 map swaps of (prepare, N bulk adds, commit) calls.
        List<Cut> cuts = List.of(new Cut(1, false, 3), new Cut(1, true, 0), new Cut(1, true, 37),
            new Cut(1, true, 1500), new Cut(1, true, 9000), new Cut(2, false, 10), new Cut(2, true, 5),
            new Cut(3, false, 30), new Cut(3, false, 4000), new Cut(3, false, 11_000), new Cut(4, false, 7000),
            new Cut(4, true, 0), new Cut(6, false, 200), new Cut(8, false, 2000), new Cut(9, true, 0),
            new Cut(11, false, 100), new Cut(13, false, 5000));
        int failedPushes = 0;
        for (Cut cut : cuts) {
          RoutingTable previous = current;
          current = table(++version);
          relay.cut(cut);
          HaproxySync.InstanceResult result = sync.push(current).get(0);
          relay.cut(null);
          if (!result.ok()) {
            failedPushes++;
            assertTrue(result.failure().get() instanceof HaproxyRuntimeException, String.valueOf(result.failure()));
          }
          assertEquals(HaproxyMaps.bucketsMap(current), Files.readString(dir.resolve(HaproxyMaps.BUCKETS_MAP)), cut + ": buckets file");
          assertEquals(HaproxyMaps.pinsMap(current), Files.readString(dir.resolve(HaproxyMaps.PINS_MAP)), cut + ": pins file");
          Map<String, String> buckets = direct.showMap(dir.resolve(HaproxyMaps.BUCKETS_MAP).toString());
          Map<String, String> pins = direct.showMap(dir.resolve(HaproxyMaps.PINS_MAP).toString());
          assertTrue(buckets.equals(HaproxyMaps.bucketEntries(previous)) || buckets.equals(HaproxyMaps.bucketEntries(current)),
              cut + ": running buckets are neither the old nor the new table");
          Map<String, String> union = new HashMap<>(HaproxyMaps.pinEntries(previous));
          union.putAll(HaproxyMaps.pinEntries(current));
          assertTrue(pins.equals(HaproxyMaps.pinEntries(previous)) || pins.equals(HaproxyMaps.pinEntries(current))
              || pins.equals(union), cut + ": running pins are not old, union or new: " + pins.size() + " entries; push ok "
              + result.ok() + " " + result.failure() + "; old " + HaproxyMaps.pinEntries(previous).size() + ", new "
              + HaproxyMaps.pinEntries(current).size() + ", union " + union.size() + "; calls " + relay.sinceArmed.get());
          assertTrue(BACKENDS.containsAll(pins.values()) && BACKENDS.containsAll(buckets.values()),
              cut + ": a running map value is not a declared backend");
          if (result.ok()) {
            assertRunning(direct, dir, current); // "in sync" must be true
          }
          assertTrue(sync.push(current).get(0).ok(), cut + ": the next push repairs");
          assertRunning(direct, dir, current);
        }
        assertTrue(failedPushes >= cuts.size() / 2, "the cuts hit calls: " + failedPushes + " of " + cuts.size());
        System.out.printf("haproxy faults: %d of %d cut pushes failed (the others' cut came after the last byte)%n",
            failedPushes, cuts.size());

        // HAProxy restarted while the table moves on: a push fails, the files carry the table.
        haproxy.close();
        current = table(++version);
        HaproxySync.InstanceResult down = sync.push(current).get(0);
        assertFalse(down.ok());
        // Through the relay, HAProxy gone is a connection that ends without an answer.
        assertEquals(HaproxyRuntimeException.Kind.PROTOCOL, ((HaproxyRuntimeException) down.failure().get()).kind());
        haproxy = HaproxyProcess.start(dir, config);
        awaitAdminSocket(direct);
        assertRunning(direct, dir, current);
        assertRoutes(haproxy, current);
        current = table(++version);
        assertTrue(sync.push(current).get(0).ok());
        assertRunning(direct, dir, current);
        assertRoutes(haproxy, current);
      } finally {
        haproxy.close();
      }
      System.out.printf("haproxy faults: %d connections relayed, %d cut%n", relay.connections.get(), relay.cutCount.get());
    }
  }

  /** Tables that differ in shards (s4 comes and goes) and in their 300 pins, so every swap has work. */
  private static RoutingTable table(int version) {
    Topology.Builder b = Topology.builder().version(version).bucketCount(1024)
        .shard(Shard.of("s1")).shard(Shard.of("s2")).shard(Shard.of("s3"));
    if (version % 2 == 1) {
      b.shard(Shard.of("s4"));
    }
    Map<RoomKey, String> pins = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      pins.put(RoomKey.ofRoomName("room " + (i + version * 100) + " with a long name to make the map big"),
          "s" + (1 + (i + version) % 3));
    }
    return RoutingTable.of(b.build()).withPins(pins);
  }

  /** HAProxy answers on its port a moment before its admin socket (the old file may still be there): poll, bounded. */
  static void awaitAdminSocket(HaproxyRuntimeApi direct) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        direct.execute("show info");
        return;
      } catch (HaproxyRuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(20);
      }
    }
  }

  private static void assertRunning(HaproxyRuntimeApi direct, Path dir, RoutingTable table) {
    assertEquals(HaproxyMaps.bucketEntries(table), direct.showMap(dir.resolve(HaproxyMaps.BUCKETS_MAP).toString()),
        "running buckets at v" + table.topology().version());
    assertEquals(HaproxyMaps.pinEntries(table), direct.showMap(dir.resolve(HaproxyMaps.PINS_MAP).toString()),
        "running pins at v" + table.topology().version());
  }

  private static void assertRoutes(HaproxyProcess haproxy, RoutingTable table) throws Exception {
    try (RawHttpClient http = new RawHttpClient(haproxy.port)) {
      List<RoomKey> rooms = new ArrayList<>(table.pins().keySet()).subList(0, 50);
      for (int i = 0; i < 50; i++) {
        rooms.add(RoomKey.ofRoomName("unpinned " + i));
      }
      for (RoomKey room : rooms) {
        assertEquals(table.route(room).backend(),
            http.get("/http-bind?room=" + HaproxyMapsIT.percentEncode(room.bytes())).body(), "room " + room);
      }
    }
  }

  /**
   * TCP on 127.0.0.1 → HAProxy's Unix admin socket, one upstream connection per client connection.
   * When armed, the n-th connection from then on is cut: both sides closed after {@code bytes} of
   * the request, or of the answer.
   */
  static final class Relay implements AutoCloseable {
    private final Path target;
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger cutCount = new AtomicInteger();
    private volatile Cut cut;
    private final AtomicInteger sinceArmed = new AtomicInteger();

    Relay(Path target) throws IOException {
      this.target = target;
      Thread t = new Thread(this::serve, "runtime-api-relay");
      t.setDaemon(true);
      t.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    void cut(Cut c) {
      sinceArmed.set(0);
      cut = c;
    }

    private void serve() {
      while (!server.isClosed()) {
        Socket client;
        try {
          client = server.accept();
        } catch (IOException e) {
          return;
        }
        connections.incrementAndGet();
        Cut c = cut;
        int n = sinceArmed.incrementAndGet();
        Cut mine = c != null && c.connection() == n ? c : null;
        if (mine != null) {
          cutCount.incrementAndGet();
        }
        Thread t = new Thread(() -> relay(client, mine), "runtime-api-relay-connection");
        t.setDaemon(true);
        t.start();
      }
    }

    private void relay(Socket client, Cut mine) {
      try (client; SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        upstream.connect(UnixDomainSocketAddress.of(target));
        // Plain channel reads and writes: Channels' streams would share one lock between the directions.
        InputStream fromUpstream = new InputStream() {
          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return upstream.read(ByteBuffer.wrap(b, off, len));
          }
        };
        OutputStream toUpstream = new OutputStream() {
          @Override
          public void write(int b) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
              upstream.write(buf);
            }
          }
        };
        Thread up = new Thread(() -> {
          try {
            copy(client.getInputStream(), toUpstream, mine != null && !mine.inAnswer() ? mine.bytes() : Long.MAX_VALUE);
            if (mine != null && !mine.inAnswer()) {
              client.close(); // the socket is gone: neither side hears more
              upstream.close();
            }
          } catch (IOException ignored) {
            // closed by the other direction
          }
        });
        up.setDaemon(true);
        up.start();
        copy(fromUpstream, client.getOutputStream(), mine != null && mine.inAnswer() ? mine.bytes() : Long.MAX_VALUE);
        client.shutdownOutput();
        up.join(5000);
      } catch (IOException | InterruptedException e) {
        // a cut, or HAProxy gone: the client sees the connection end
      }
    }

    private static void copy(InputStream in, OutputStream out, long limit) throws IOException {
      byte[] buf = new byte[1024];
      long copied = 0;
      while (copied < limit) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, limit - copied));
        if (n < 0) {
          return;
        }
        out.write(buf, 0, n);
        out.flush();
        copied += n;
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
