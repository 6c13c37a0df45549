package io.bridgekeeper.benchmarks;

import io.bridgekeeper.routing.PlacementStrategy;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.util.Map;

/**
 * Placement quality, which is deterministic and so is counted rather than timed: balance (worst
 * shard's distance from its fair share) and movement (buckets moved by one change, as a multiple
 * of the buckets that change must move) for each strategy at the default B.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.bridgekeeper.benchmarks.PlacementReport}
 */
public final class PlacementReport {
  private PlacementReport() {}

  public static void main(String[] args) {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {3, 10, 100, 1000};
    System.out.println("| strategy | shards | worst balance (% of fair) | add one | remove one | drain one | weight x1.5 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (String name : new String[] {"maglev", "rendezvous"}) {
      PlacementStrategy strategy = PlacementStrategy.named(name);
      for (int n : sizes) {
        Topology.Builder b = Topology.builder().placement(name);
        for (int s = 0; s < n; s++) {
          b.shard(Shard.of("shard-" + s).withWeight(50 + (s * 37) % 100));
        }
        Topology t = b.build();
        RoutingTable base = RoutingTable.of(t, strategy);
        System.out.printf("| %s | %d | %.2f%% | %s | %s | %s | %s |%n", name, n, worstBalance(base),
            movement(base, t.withShard(Shard.of("added")), "added", strategy),
            movement(base, t.withoutShard("shard-1"), "shard-1", strategy),
            movement(base, t.withState("shard-1", ShardState.DRAINING), "shard-1", strategy),
            movement(base, t.withShardChanged("shard-2", s -> s.withWeight(s.weight() * 3 / 2)), "shard-2", strategy));
      }
    }
  }

  static double worstBalance(RoutingTable t) {
    long total = t.topology().activeShards().stream().mapToLong(Shard::weight).sum();
    Map<String, Integer> counts = t.bucketCounts();
    double worst = 0;
    for (Shard s : t.topology().activeShards()) {
      double fair = (double) t.bucketCount() * s.weight() / total;
      worst = Math.max(worst, Math.abs(counts.get(s.id()) - fair) / fair);
    }
    return worst * 100;
  }

  /** "moved / minimal = ratio". */
  static String movement(RoutingTable before, Topology next, String changed, PlacementStrategy strategy) {
    RoutingTable after = RoutingTable.of(next, strategy);
    int moved = after.diffFrom(before).moves().size();
    int was = before.bucketCounts().getOrDefault(changed, 0);
    int is = after.bucketCounts().getOrDefault(changed, 0);
    int minimal = Math.abs(is - was);
    return String.format("%d/%d = %.2fx", moved, minimal, (double) moved / minimal);
  }

}
