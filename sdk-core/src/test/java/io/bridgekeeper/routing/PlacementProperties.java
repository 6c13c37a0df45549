package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.TopologyArbitraries.Change;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PlacementProperties {

  @Provide
  Arbitrary<List<Shard>> shards() {
    return TopologyArbitraries.shardLists(1, 40, true);
  }

  @Provide
  Arbitrary<List<Shard>> activeShards() {
    return TopologyArbitraries.shardLists(2, 40, false);
  }

  @Provide
  Arbitrary<Integer> buckets() {
    return TopologyArbitraries.bucketCounts(8192);
  }

  @Provide
  Arbitrary<PlacementStrategy> strategies() {
    return TopologyArbitraries.strategies();
  }

  /** Same shard set in any order: byte-identical tables. */
  @Property(tries = 300)
  void deterministicAndOrderIndependent(@ForAll("shards") List<Shard> shards, @ForAll("buckets") int b,
      @ForAll("strategies") PlacementStrategy strategy, @ForAll long seed) {
    List<Shard> shuffled = new ArrayList<>(shards);
    Collections.shuffle(shuffled, new Random(seed));
    RoutingTable one = RoutingTable.of(TopologyArbitraries.topology(shards, b, strategy));
    RoutingTable two = RoutingTable.of(TopologyArbitraries.topology(shuffled, b, strategy));
    assertArrayEquals(one.canonicalBytes(), two.canonicalBytes());
    assertEquals(one.fingerprint(), two.fingerprint());
  }

  /** Only ACTIVE shards own buckets; every bucket has an owner when one is ACTIVE. */
  @Property(tries = 300)
  void onlyActiveShardsOwnBuckets(@ForAll("shards") List<Shard> shards, @ForAll("buckets") int b,
      @ForAll("strategies") PlacementStrategy strategy) {
    RoutingTable t = RoutingTable.of(TopologyArbitraries.topology(shards, b, strategy));
    boolean anyActive = shards.stream().anyMatch(Shard::isActive);
    for (int i = 0; i < b; i++) {
      String owner = t.ownerId(i);
      if (!anyActive) {
        assertEquals(null, owner);
      } else {
        assertTrue(t.topology().shard(owner).orElseThrow().isActive(), "bucket " + i + " -> " + owner);
      }
    }
  }

  /**
   * Maglev: every ACTIVE shard owns floor or ceil of its fair share B·w/Σw, hence within
   * max(1 bucket, 2%) of fair.
   */
  @Property(tries = 300)
  void maglevIsExactlyBalanced(@ForAll("shards") List<Shard> shards, @ForAll("buckets") int b) {
    Topology topology = TopologyArbitraries.topology(shards, b, PlacementStrategy.maglev());
    assertBalanced(RoutingTable.of(topology), 0.999_999);
  }

  @Property(tries = 20)
  void maglevIsExactlyBalancedAtTheDefaultBucketCount(@ForAll("shards") List<Shard> shards) {
    Topology topology = TopologyArbitraries.topology(shards, Buckets.DEFAULT_BUCKET_COUNT, PlacementStrategy.maglev());
    assertBalanced(RoutingTable.of(topology), 0.999_999);
  }

  private static void assertBalanced(RoutingTable t, double tolerance) {
    List<Shard> active = t.topology().activeShards();
    long total = active.stream().mapToLong(Shard::weight).sum();
    Map<String, Integer> counts = t.bucketCounts();
    for (Shard s : t.topology().shards()) {
      int c = counts.get(s.id());
      if (!s.isActive()) {
        assertEquals(0, c, s.id());
        continue;
      }
      double fair = (double) t.bucketCount() * s.weight() / total;
      assertTrue(Math.abs(c - fair) <= tolerance, s.id() + " owns " + c + ", fair " + fair);
      assertTrue(Math.abs(c - fair) <= Math.max(1, 0.02 * fair));
    }
  }

  /** Rendezvous shares are binomial: each within 6 standard deviations (+1) of fair. */
  @Property(tries = 200)
  void rendezvousIsStatisticallyBalanced(@ForAll("shards") List<Shard> shards, @ForAll("buckets") int b) {
    RoutingTable t = RoutingTable.of(TopologyArbitraries.topology(shards, b, PlacementStrategy.rendezvous()));
    List<Shard> active = t.topology().activeShards();
    long total = active.stream().mapToLong(Shard::weight).sum();
    for (Shard s : active) {
      double p = (double) s.weight() / total;
      double fair = b * p;
      double sigma = Math.sqrt(b * p * (1 - p));
      int c = t.bucketCounts().get(s.id());
      assertTrue(Math.abs(c - fair) <= 6 * sigma + 1, s.id() + " owns " + c + ", fair " + fair);
    }
  }

  /** Rendezvous moves exactly what a change must move, nothing else. */
  @Property(tries = 300)
  void rendezvousMovesOnlyWhatItMust(@ForAll("activeShards") List<Shard> shards, @ForAll("buckets") int b,
      @ForAll Change change, @ForAll long seed) {
    Topology before = TopologyArbitraries.topology(shards, b, PlacementStrategy.rendezvous());
    Applied applied = apply(before, change, new Random(seed));
    RoutingDiff diff = RoutingTable.of(applied.after).diffFrom(RoutingTable.of(before));
    for (RoutingDiff.BucketMove m : diff.moves()) {
      String x = applied.shardId;
      switch (change) {
        case ADD, HEAVIER -> assertEquals(x, m.toShard(), "bucket " + m.bucket() + " moved elsewhere");
        case REMOVE, DOWN, DRAIN, LIGHTER -> assertEquals(x, m.fromShard(), "bucket " + m.bucket() + " left another shard");
        case COSMETIC -> throw new AssertionError("a region/address change moved bucket " + m.bucket());
      }
    }
  }

  /**
   * Maglev moves every bucket a change must move, plus a bounded surplus: for an arrival,
   * departure or drain about 0.1-0.6% of all buckets at the default B (benchmarks/README.md); on
   * small tables up to about 1.6 times the minimum. Fails past twice the minimum plus 3% of B.
   * Weight changes cascade further (bound below). Holds where Maglev is
   * meant to run, at 64 or more buckets per shard (the default B gives 65 at 1,000 shards).
   */
  @Property(tries = 500, shrinking = net.jqwik.api.ShrinkingMode.OFF)
  void maglevMovesLittleMoreThanItMust(@ForAll("activeShards") List<Shard> shards,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 64, max = 16384) int b, @ForAll Change change,
      @ForAll long seed) {
    net.jqwik.api.Assume.that(b >= 64 * (shards.size() + 1));
    Topology before = TopologyArbitraries.topology(shards, b, PlacementStrategy.maglev());
    Applied applied = apply(before, change, new Random(seed));
    RoutingTable tb = RoutingTable.of(before);
    RoutingTable ta = RoutingTable.of(applied.after);
    RoutingDiff diff = ta.diffFrom(tb);
    String x = applied.shardId;
    int minimal = switch (change) {
      case ADD -> ta.bucketCounts().get(x);
      case REMOVE, DOWN, DRAIN -> tb.bucketCounts().get(x);
      case HEAVIER, LIGHTER -> Math.abs(ta.bucketCounts().get(x) - tb.bucketCounts().get(x));
      case COSMETIC -> 0;
    };
    if (change == Change.COSMETIC) {
      assertTrue(diff.moves().isEmpty(), "a region/address change moved buckets");
      return;
    }
    int surplus = diff.moves().size() - minimal;
    assertTrue(surplus >= 0);
    // A weight change shifts that shard's turns in the claim sequence, which cascades further
    // than an arrival or departure does: measured up to about twice the minimum plus 25% of B.
    // With very uneven weights (1 to 1000 here) every quota shifts when one shard changes, and
    // more of the claim sequence is redone: measured up to about 12% of B on small tables.
    boolean equalWeights = java.util.stream.Stream.concat(before.shards().stream(), applied.after.shards().stream())
        .mapToInt(Shard::weight).distinct().count() == 1;
    double allowed = change == Change.HEAVIER || change == Change.LIGHTER
        ? 2.0 * minimal + 0.30 * b
        : 2.0 * minimal + Math.max(2, (equalWeights ? 0.03 : 0.15) * b);
    assertTrue(surplus <= allowed,
        change + " of " + x + " moved " + diff.moves().size() + ", minimal " + minimal + " of " + b);
  }

  record Applied(Topology after, String shardId) {}

  static Applied apply(Topology t, Change change, Random rnd) {
    List<Shard> active = t.activeShards();
    Shard pick = active.get(rnd.nextInt(active.size()));
    return switch (change) {
      case ADD -> {
        String id = "new" + rnd.nextInt(1000);
        boolean equal = t.shards().stream().mapToInt(Shard::weight).distinct().count() == 1;
        int weight = equal ? t.shards().get(0).weight() : 1 + rnd.nextInt(1000);
        yield new Applied(t.withShard(new Shard(id, weight, "", ShardState.ACTIVE, "", null)), id);
      }
      case REMOVE -> new Applied(t.withoutShard(pick.id()), pick.id());
      case DOWN -> new Applied(t.withState(pick.id(), ShardState.DOWN), pick.id());
      case DRAIN -> new Applied(t.withState(pick.id(), ShardState.DRAINING), pick.id());
      case HEAVIER -> new Applied(t.withWeight(pick.id(), Math.min(Shard.MAX_WEIGHT, pick.weight() * 2)), pick.id());
      case LIGHTER -> new Applied(t.withWeight(pick.id(), Math.max(1, pick.weight() / 2)), pick.id());
      case COSMETIC -> new Applied(t.withShardChanged(pick.id(), s -> s.withRegion("elsewhere").withAddress("10.9.9.9:8443")), pick.id());
    };
  }
}
