package io.bridgekeeper.benchmarks;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.random.PseudoRandomGeneratorProvider;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing one room: Bridgekeeper from a prepared key and from a raw request target, against
 * baselines that only hash pre-extracted key bytes: Guava murmur3_128 + consistentHash, a TreeMap
 * ring with 100 virtual nodes per shard, and hash4j komihash + JumpBackHash.
 *
 * <p>Each invocation routes one of 1,024 rooms (cycling), so branch predictors and caches see a
 * realistic mix rather than one key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RouteBenchmark {
  private static final int ROOMS = 1024;
  private static final int VIRTUAL_NODES = 100;
  private static final HashFunction MURMUR = Hashing.murmur3_128();
  private static final com.dynatrace.hash4j.hashing.Hasher64 KOMIHASH =
      com.dynatrace.hash4j.hashing.Hashing.komihash5_0();

  @Param({"3", "100", "1000", "10000"})
  int shards;

  RoutingTable table;
  RoomKey[] keys;
  byte[][] keyBytes;
  String[] targets;
  TreeMap<Long, Integer> ring;
  ConsistentBucketHasher jumpBack;
  int i;

  @Setup(Level.Trial)
  public void setUp() {
    Topology.Builder b = Topology.builder();
    for (int s = 0; s < shards; s++) {
      b.shard(Shard.of("shard-" + s));
    }
    table = RoutingTable.of(b.build());
    targets = BenchmarkRooms.targets(ROOMS);
    keys = new RoomKey[ROOMS];
    keyBytes = new byte[ROOMS][];
    for (int r = 0; r < ROOMS; r++) {
      keys[r] = table.topology().roomKeys().keyOfRequestTarget(targets[r]).orElseThrow();
      keyBytes[r] = keys[r].bytes();
    }
    ring = new TreeMap<>();
    for (int s = 0; s < shards; s++) {
      for (int v = 0; v < VIRTUAL_NODES; v++) {
        ring.put(MURMUR.hashUnencodedChars("shard-" + s + "#" + v).asLong(), s);
      }
    }
    jumpBack = ConsistentHashing.jumpBackHash(PseudoRandomGeneratorProvider.splitMix64_V1());
  }

  private int next() {
    int r = i;
    i = (r + 1) & (ROOMS - 1);
    return r;
  }

  @Benchmark
  public Shard routeKey() {
    return table.route(keys[next()]);
  }

  @Benchmark
  public Optional<Shard> routeRequestTarget() {
    return table.route(targets[next()]);
  }

  @Benchmark
  public int baselineGuavaConsistentHash() {
    return Hashing.consistentHash(MURMUR.hashBytes(keyBytes[next()]), shards);
  }

  @Benchmark
  public int baselineTreeMapRing() {
    long h = MURMUR.hashBytes(keyBytes[next()]).asLong();
    Map.Entry<Long, Integer> e = ring.ceilingEntry(h);
    return e != null ? e.getValue() : ring.firstEntry().getValue();
  }

  @Benchmark
  public int baselineHash4jJumpBack() {
    return jumpBack.getBucket(KOMIHASH.hashBytesToLong(keyBytes[next()]), shards);
  }
}
