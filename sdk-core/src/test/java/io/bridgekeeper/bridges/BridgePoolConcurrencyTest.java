package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Reliability: the bridge pool under concurrent updates and reads. Four sources report presences
 * (random stats, drains, graceful shutdowns), leaves, health checks and placed participants — on
 * bridges of their own and on bridges they share — while a ticker moves the simulated clock and
 * refreshes, and two readers take snapshots.
 *
 * <p>What must hold: no thread sees an exception (an illegal transition throws); each bridge's
 * changes, as listeners receive them, form one chain (each {@code before} is the previous
 * {@code after}, each step in the transition table); every snapshot is sorted, without
 * duplicates, never older than the one before, with no shutting-down bridge in a live state; and once the sources stop, one last presence per bridge leaves exactly the expected
 * bridges with exactly their last stats.
 */
class BridgePoolConcurrencyTest {
  private static final int SOURCES = 4;
  private static final int OWN = 20;
  private static final int SHARED = 3;
  private static final int OPS = 10_000;

  @Test
  void concurrentUpdatesAndReadsStayConsistent() throws Exception {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Map<String, Optional<BridgeState>> lastSeen = new HashMap<>(); // listeners run inside the pool's lock
    AtomicLong changes = new AtomicLong();
    pool.addListener(c -> {
      changes.incrementAndGet();
      Optional<BridgeState> previous = lastSeen.getOrDefault(c.bridgeId(), Optional.empty());
      if (!previous.equals(c.before())) {
        problems.add(c.bridgeId() + ": change from " + c.before() + " but the last change ended in " + previous);
      }
      if (c.before().isPresent() && c.after().isPresent() && !c.before().get().canMoveTo(c.after().get())) {
        problems.add(c.bridgeId() + ": illegal " + c.before() + " -> " + c.after());
      }
      lastSeen.put(c.bridgeId(), c.after());
    });

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong snapshots = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(SOURCES + 3);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> sources = new ArrayList<>();
      for (int s = 0; s < SOURCES; s++) {
        int source = s;
        sources.add(threads.submit(() -> {
          Random random = new Random(42 + source);
          go.await();
          for (int op = 0; op < OPS; op++) {
            String bridge = random.nextInt(4) != 0 ? "shared-" + random.nextInt(SHARED)
                : "own-" + source + "-" + random.nextInt(OWN);
            String name = "source-" + source;
            switch (random.nextInt(40)) {
              case 0 -> pool.left(name, bridge);
              case 1, 2 -> pool.healthCheck(bridge, HealthCheck.values()[random.nextInt(3)]);
              case 3, 4, 5 -> pool.participantsAdded(bridge, random.nextInt(5));
              case 6, 7, 8, 9 -> pool.presence(name, bridge, Optional.empty());
              default -> pool.presence(name, bridge, Optional.of(randomStats(random)));
            }
          }
          return null;
        }));
      }
      Future<?> ticker = threads.submit(() -> {
        go.await();
        while (!stop.get()) {
          clock.advance(Duration.ofSeconds(7));
          pool.refresh();
          Thread.yield();
        }
        return null;
      });
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(threads.submit(() -> {
          go.await();
          Map<String, Bridge> seen = new HashMap<>();
          Instant last = Instant.MIN;
          while (!stop.get()) {
            PoolSnapshot snap = pool.snapshot();
            snapshots.incrementAndGet();
            if (snap.at().isBefore(last)) {
              problems.add("snapshot time went back: " + snap.at() + " after " + last);
            }
            last = snap.at();
            String previousId = "";
            for (Bridge b : snap.bridges()) {
              if (b.id().compareTo(previousId) <= 0) {
                problems.add("snapshot not sorted or duplicated at " + b.id());
              }
              previousId = b.id();
              if (b.shuttingDown() && b.state() != BridgeState.SHUTTING_DOWN && b.state() != BridgeState.LOST) {
                problems.add(b.id() + " shutting down but " + b.state());
              }
              Bridge before = seen.put(b.id(), b);
              if (before != null && before.lastPresence().isAfter(b.lastPresence())) {
                problems.add(b.id() + ": last presence went back");
              }
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : sources) {
        f.get(60, TimeUnit.SECONDS);
      }
      stop.set(true);
      ticker.get(60, TimeUnit.SECONDS);
      for (Future<?> f : readers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      threads.shutdownNow();
    }
    assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first: " + problems.stream().limit(5).toList());

    // Quiet now: one last presence per bridge from one source, and every bridge ends as expected.
    Map<String, BridgeStats> last = new HashMap<>();
    Random random = new Random(7);
    for (int s = 0; s < SOURCES; s++) {
      for (int i = 0; i < OWN; i++) {
        last.put("own-" + s + "-" + i, calmStats(random));
      }
    }
    for (int i = 0; i < SHARED; i++) {
      last.put("shared-" + i, calmStats(random));
    }
    clock.advance(Duration.ofMinutes(2)); // any failed health check ages out (1 min)
    last.forEach((id, stats) -> pool.presence("final", id, Optional.of(stats)));
    PoolSnapshot end = pool.snapshot();
    assertEquals(last.keySet(), new java.util.TreeSet<>(end.bridges().stream().map(Bridge::id).toList()));
    for (Bridge b : end.bridges()) {
      assertEquals(Optional.of(last.get(b.id())), b.stats(), b.id());
      assertEquals(b.state(), lastSeen.get(b.id()).orElseThrow(), "the listeners' last word is the state: " + b.id());
    }
    System.out.printf("bridge pool concurrency: %d sources x %d ops, %d changes, %d snapshots%n", SOURCES, OPS,
        changes.get(), snapshots.get());
  }

  private static BridgeStats randomStats(Random r) {
    Map<String, String> m = new HashMap<>();
    m.put("stress_level", Double.toString(r.nextDouble()));
    m.put("endpoints", Integer.toString(r.nextInt(50)));
    m.put("drain", Boolean.toString(r.nextBoolean()));
    if (r.nextInt(400) == 0) {
      m.put("graceful_shutdown", "true");
    }
    if (r.nextInt(800) == 0) {
      m.put("shutting_down", "true");
    }
    return BridgeStats.parse(m);
  }

  private static BridgeStats calmStats(Random r) {
    return BridgeStats.parse(Map.of("stress_level", Double.toString(r.nextDouble() * 0.5),
        "endpoints", Integer.toString(r.nextInt(10)), "drain", "false"));
  }
}
