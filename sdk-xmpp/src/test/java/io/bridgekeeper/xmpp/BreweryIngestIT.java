package io.bridgekeeper.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest through a real Prosody: N fake bridges in one brewery, each publishing stats every
 * interval, staggered; every presence must reach the pool, and the delay from sending to the
 * model being updated is measured (printed, not asserted: performance is reported, not tested).
 * Bounded for the test command: {@code -Dingest.bridges} (default 100), {@code -Dingest.interval}
 * in ms (1000), {@code -Dingest.rounds} (5), {@code -Dingest.firewall=off} to run without Jitsi's
 * brewery presence filter (then every bridge receives every other bridge's presence),
 * {@code -Dingest.breweries} (1) to spread the bridges over several breweries, as Jitsi deployments do. The figures in benchmarks/README.md come from larger runs.
 */
class BreweryIngestIT {
  @TempDir Path dir;

  @Test
  void everyPresenceReachesThePool() throws Exception {
    int bridges = Integer.getInteger("ingest.bridges", 100);
    long intervalMs = Long.getLong("ingest.interval", 1000);
    int rounds = Integer.getInteger("ingest.rounds", 5);
    int breweries = Integer.getInteger("ingest.breweries", 1);
    java.util.List<String> rooms = new java.util.ArrayList<>();
    for (int k = 0; k < breweries; k++) {
      rooms.add((k == 0 ? "jvbbrewery" : "jvbbrewery-" + k) + "@" + ProsodyProcess.MUC);
    }
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), Clock.systemUTC());
    AtomicLongArray delays = new AtomicLongArray(bridges * (rounds + 1) + 1000);
    AtomicInteger received = new AtomicInteger();
    pool.addUpdateListener((Bridge b) -> {
      String sent = b.stats().map(s -> s.raw().get("sent_nanos")).orElse(null);
      if (sent != null) {
        int i = received.getAndIncrement();
        if (i < delays.length()) {
          delays.set(i, System.nanoTime() - Long.parseLong(sent));
        }
      }
    });
    boolean firewall = !"off".equals(System.getProperty("ingest.firewall"));
    try (ProsodyProcess prosody = ProsodyProcess.start(dir, firewall);
        BreweryListener listener = listener(prosody, pool, rooms)) {
      listener.start();
      BreweryListenerIT.await("the observer in every brewery", () -> listener.joined().containsAll(rooms));
      try (RawXmppBridges fakes = new RawXmppBridges(prosody.port, rooms, bridges)) {
        // Joining is quadratic in a MUC (each joiner receives every occupant, every occupant the joiner).
        long joinStart = System.nanoTime();
        BreweryListenerIT.await(bridges + " bridges in the pool", () -> pool.snapshot().bridges().size() == bridges
            || fakes.failure() != null || fakes.lost() > 0, Duration.ofSeconds(30 + bridges / 5));
        assertEquals(0, fakes.lost(), () -> "fake bridges lost: " + fakes.lastLoss());
        System.out.printf("ingest: %d bridges joined in %.1f s%n", bridges, (System.nanoTime() - joinStart) / 1e9);
        assertNull(fakes.failure());
        int joined = received.get();
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
          for (int i = 0; i < bridges; i++) {
            long due = start + (r * intervalMs + i * intervalMs / bridges) * 1_000_000;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            fakes.publish(i);
          }
        }
        long expected = joined + (long) bridges * rounds;
        BreweryListenerIT.await("every presence in the pool", () -> received.get() >= expected,
            Duration.ofSeconds(30 + bridges / 10));
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] d = new long[received.get() - joined];
        for (int i = 0; i < d.length; i++) {
          d[i] = delays.get(joined + i);
        }
        Arrays.sort(d);
        System.out.printf("ingest (%s, %d breweries): %d bridges every %d ms, %d presences in %.1f s (%.0f/s); delay sent → model "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", firewall ? "presence filter" : "no filter", breweries, bridges, intervalMs, d.length, seconds, d.length / seconds,
            d[d.length / 2] / 1e6, d[(int) (d.length * 0.99)] / 1e6, d[d.length - 1] / 1e6);
        assertEquals(expected, received.get(), "no presence lost or counted twice");
        Instant now = Instant.now();
        assertEquals(bridges, pool.snapshot().bridges().stream().filter(b -> b.lastPresence().isAfter(now.minus(
            Duration.ofSeconds(30)))).count());
      }
    }
  }

  private static BreweryListener listener(ProsodyProcess prosody, BridgePool pool, java.util.List<String> rooms) {
    BreweryListener.Builder b = BreweryListener.builder().xmppDomain(ProsodyProcess.DOMAIN)
        .host("127.0.0.1", prosody.port).credentials("observer", "obspass").nickname("observer")
        .insecurePlaintextForLoopbackTests().pool(pool);
    rooms.forEach(r -> b.brewery("shard-" + r.substring(0, r.indexOf('@')), r));
    return b.build();
  }
}
