package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Reliability: {@code route} from four threads while two writers keep changing the router — one
 * swapping between two topologies that disagree on most probe rooms (keeping live rooms in place),
 * one pinning and unpinning other rooms.
 *
 * <p>A mix of two tables is detectable three ways: a batch of probes routed through one
 * {@link Router#table()} snapshot must equal, as a whole vector, the precomputed answers of the
 * topology version that snapshot carries; every single {@link Router#route} answer must be one of
 * the two topologies' answers for that room; and no live room is ever answered by another shard
 * than its own — not by a reader, and not in any published table (a listener checks each).
 */
class RouterSnapshotConcurrencyTest {
  private static final int READERS = 4;
  private static final int SWAPS = 600;
  private static final int PROBES = 256;
  private static final int LIVE = 64;

  @Test
  void everyAnswerComesFromOneWholeSnapshotAndLiveRoomsNeverMove() throws Exception {
    Topology v1 = Topology.builder().version(1).bucketCount(4096)
        .shard(Shard.of("a")).shard(Shard.of("b")).shard(Shard.of("c")).build();
    Topology v2 = Topology.builder().version(2).bucketCount(4096)
        .shard(Shard.of("a").withWeight(40)).shard(Shard.of("b")).shard(Shard.of("c").withWeight(300))
        .shard(Shard.of("d")).shard(Shard.of("e")).build();
    RoutingTable t1 = RoutingTable.of(v1);
    RoutingTable t2 = RoutingTable.of(v2);

    List<RoomKey> probes = new ArrayList<>();
    List<String> probeTargets = new ArrayList<>();
    for (int i = 0; i < PROBES; i++) {
      probes.add(RoomKey.ofRoomName("probe" + i));
      probeTargets.add("/t/http-bind?room=probe" + i);
    }
    String[] answers1 = probes.stream().map(k -> t1.route(k).id()).toArray(String[]::new);
    String[] answers2 = probes.stream().map(k -> t2.route(k).id()).toArray(String[]::new);
    long differing = java.util.stream.IntStream.range(0, PROBES).filter(i -> !answers1[i].equals(answers2[i])).count();
    assertTrue(differing > PROBES / 2, "the two tables must disagree on most probes to make a mix visible: " + differing);

    Router router = Router.create(v1);
    Map<RoomKey, String> home = new LinkedHashMap<>();
    for (int i = 0; i < LIVE; i++) {
      RoomKey live = RoomKey.ofRoomName("live" + i);
      home.put(live, router.route(live).id());
    }
    List<RoomKey> liveRooms = List.copyOf(home.keySet());

    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    router.addListener(change -> home.forEach((room, shard) -> {
      if (!change.after().route(room).id().equals(shard)) {
        problems.add("published v" + change.after().topology().version() + " moves live " + room + " from "
            + shard + " to " + change.after().route(room).id());
      }
    }));

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong batches = new AtomicLong();
    AtomicLong singles = new AtomicLong();
    AtomicLong sawV1 = new AtomicLong();
    AtomicLong sawV2 = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(READERS + 2);
    CountDownLatch readersStarted = new CountDownLatch(READERS);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        int reader = r;
        readers.add(threads.submit(() -> {
          readersStarted.countDown();
          String[] batch = new String[PROBES];
          int round = 0;
          while (!stop.get() && problems.size() < 10) {
            // A batch against one snapshot: the whole vector is v1's or v2's, per its version.
            RoutingTable snapshot = router.table();
            for (int i = 0; i < PROBES; i++) {
              batch[i] = (i % 2 == 0 ? snapshot.route(probes.get(i)) : snapshot.route(probeTargets.get(i)).orElseThrow()).id();
            }
            long version = snapshot.topology().version();
            String[] expected = version == 1 ? answers1 : answers2;
            (version == 1 ? sawV1 : sawV2).incrementAndGet();
            if (!Arrays.equals(expected, batch)) {
              problems.add("reader " + reader + ": a batch on a v" + version + " snapshot is not v" + version + "'s table");
            }
            for (Map.Entry<RoomKey, String> live : home.entrySet()) {
              if (!snapshot.route(live.getKey()).id().equals(live.getValue())) {
                problems.add("reader " + reader + ": live " + live.getKey() + " moved in v" + version);
              }
            }
            batches.incrementAndGet();
            // Single answers straight from the router: each is v1's or v2's for that room.
            for (int k = 0; k < 32; k++) {
              int i = (round * 32 + k) % PROBES;
              String got = router.route(probeTargets.get(i)).orElseThrow().id();
              if (!got.equals(answers1[i]) && !got.equals(answers2[i])) {
                problems.add("reader " + reader + ": probe" + i + " answered by " + got + ", neither v1 ("
                    + answers1[i] + ") nor v2 (" + answers2[i] + ")");
              }
              RoomKey live = liveRooms.get((round * 32 + k) % LIVE);
              if (!router.route(live).id().equals(home.get(live))) {
                problems.add("reader " + reader + ": live " + live + " moved");
              }
              singles.incrementAndGet();
            }
            round++;
          }
          return null;
        }));
      }
      readersStarted.await();
      Future<?> swapper = threads.submit(() -> {
        for (int i = 0; i < SWAPS; i++) {
          router.update(i % 2 == 0 ? v2 : v1, liveRooms);
        }
        return null;
      });
      Future<?> pinner = threads.submit(() -> {
        int i = 0;
        while (!stop.get()) {
          RoomKey passing = RoomKey.ofRoomName("passing" + (i++ % 50));
          router.pin(passing, "b");
          router.unpin(passing);
        }
        return null;
      });
      swapper.get(60, TimeUnit.SECONDS);
      stop.set(true);
      pinner.get(60, TimeUnit.SECONDS);
      for (Future<?> f : readers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      threads.shutdownNow();
    }
    assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first: " + problems.stream().limit(5).toList());
    assertTrue(sawV1.get() > 0 && sawV2.get() > 0, "readers saw both versions: v1 " + sawV1 + ", v2 " + sawV2);
    assertEquals(v1, router.table().topology());
    home.forEach((room, shard) -> assertEquals(shard, router.route(room).id()));
    System.out.printf("router concurrency: %d swaps, %d snapshot batches of %d probes, %d single routes%n",
        SWAPS, batches.get(), PROBES, singles.get());
  }
}
