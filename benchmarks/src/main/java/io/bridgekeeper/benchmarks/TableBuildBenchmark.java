package io.bridgekeeper.benchmarks;

import io.bridgekeeper.routing.PlacementStrategy;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Building the bucket table (default B = 65,536) for a topology, per placement strategy. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TableBuildBenchmark {
  @Param({"maglev", "rendezvous"})
  String strategy;

  @Param({"100", "1000"})
  int shards;

  Topology topology;
  PlacementStrategy placement;

  @Setup
  public void setUp() {
    Topology.Builder b = Topology.builder();
    for (int s = 0; s < shards; s++) {
      // Mixed weights: the weighted code paths are the ones production uses.
      b.shard(Shard.of("shard-" + s).withWeight(50 + (s * 37) % 100));
    }
    topology = b.build();
    placement = PlacementStrategy.named(strategy);
  }

  @Benchmark
  public RoutingTable build() {
    return RoutingTable.of(topology, placement);
  }
}
