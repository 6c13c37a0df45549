package io.bridgekeeper.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators shared by the routing properties. */
final class TopologyArbitraries {
  private TopologyArbitraries() {}

  static Arbitrary<Integer> bucketCounts(int max) {
    return Arbitraries.oneOf(
        Arbitraries.of(1, 2, 3, 7, 64, 1000, 1024, 4096).filter(b -> b <= max),
        Arbitraries.integers().between(1, max));
  }

  /** Shards s000..s999 (a random subset, in random order), weights equal or mixed, some not ACTIVE. */
  static Arbitrary<List<Shard>> shardLists(int minShards, int maxShards, boolean someInactive) {
    return Combinators.combine(
            Arbitraries.integers().between(minShards, maxShards),
            Arbitraries.longs(),
            Arbitraries.of(true, false))
        .as((n, seed, equalWeights) -> {
          Random rnd = new Random(seed);
          List<Integer> ids = new ArrayList<>();
          for (int i = 0; i < 1000; i++) {
            ids.add(i);
          }
          Collections.shuffle(ids, rnd);
          List<Shard> shards = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            ShardState state = ShardState.ACTIVE;
            if (someInactive && i > 0) {
              int r = rnd.nextInt(10);
              state = r == 0 ? ShardState.DOWN : r == 1 ? ShardState.DRAINING : ShardState.ACTIVE;
            }
            int weight = equalWeights ? 100 : 1 + rnd.nextInt(1000);
            shards.add(new Shard(String.format("s%03d", ids.get(i)), weight, "r" + rnd.nextInt(3), state,
                "10.0." + rnd.nextInt(256) + "." + rnd.nextInt(256) + ":443", null));
          }
          return shards;
        });
  }

  static Topology topology(List<Shard> shards, int buckets, PlacementStrategy strategy) {
    return Topology.builder().bucketCount(buckets).placement(strategy.name()).shards(shards).build();
  }

  static Arbitrary<PlacementStrategy> strategies() {
    return Arbitraries.of(PlacementStrategy.maglev(), PlacementStrategy.rendezvous());
  }

  /** A single change of the kinds operators make. */
  enum Change { ADD, REMOVE, DOWN, DRAIN, HEAVIER, LIGHTER, COSMETIC }
}
