package io.bridgekeeper.routing;

import java.util.List;

/**
 * Assigns every bucket to a shard. Implementations must be <b>pure functions</b> of the shard set
 * and the bucket count (same input, in any order, gives the same assignment in every process and
 * JVM), must give buckets only to {@link ShardState#ACTIVE ACTIVE} shards, and must be thread-safe.
 *
 * <p>Two strategies ship; their trade-off is measured in {@code benchmarks/README.md}:
 *
 * <ul>
 *   <li>{@link #maglev()} (the default): every shard gets its fair share of buckets to within one
 *       bucket, and the table builds in a few milliseconds at 1,000 shards; a topology change also
 *       moves a small number of buckets between shards it did not touch.
 *   <li>{@link #rendezvous()} (weighted highest-random-weight): moves only the buckets a change
 *       must move (adding a shard moves buckets only to it, removing one only its own), but shares
 *       are only statistically fair (binomial spread) and the build costs B × N hash evaluations.
 * </ul>
 *
 * <p>No strategy can have both exact movement and exact balance for every shard set: exact
 * movement forces each bucket to follow a fixed preference order over shard ids, and fixed orders
 * cannot be balanced for every subset. Live rooms are pinned across changes, so the extra movement
 * of Maglev costs pins, not calls; that is why it is the default.
 */
public interface PlacementStrategy {
  /** Name of the default strategy. */
  String DEFAULT_NAME = "maglev";

  /** The name a topology file uses to select this strategy. */
  String name();

  /**
   * Owner of each bucket, as an index into {@code shards}, or -1 when no shard is ACTIVE.
   *
   * @param shards the topology's shards, sorted by id (all states; only ACTIVE ones get buckets)
   * @param bucketCount B, at least 1
   * @return a new array of length {@code bucketCount}
   */
  int[] assign(List<Shard> shards, int bucketCount);

  /** Weighted Maglev: exact balance, near-minimal movement, fast build. The default. */
  static PlacementStrategy maglev() {
    return MaglevPlacement.INSTANCE;
  }

  /** Weighted rendezvous (HRW): exact minimal movement, statistical balance, O(B·N) build. */
  static PlacementStrategy rendezvous() {
    return RendezvousPlacement.INSTANCE;
  }

  /**
   * The built-in strategy of that name.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static PlacementStrategy named(String name) {
    PlacementStrategy s = BuiltinPlacements.BY_NAME.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown placement strategy '" + name + "'; known: " + knownNames());
    }
    return s;
  }

  /** Whether a built-in strategy has this name. */
  static boolean isKnown(String name) {
    return name != null && BuiltinPlacements.BY_NAME.containsKey(name);
  }

  /** Names of the built-in strategies. */
  static List<String> knownNames() {
    return BuiltinPlacements.BY_NAME.keySet().stream().sorted().toList();
  }

  /** Indices of the ACTIVE shards in {@code shards}, ascending: the only ones given buckets. */
  static int[] activeIndices(List<Shard> shards) {
    return java.util.stream.IntStream.range(0, shards.size()).filter(i -> shards.get(i).isActive()).toArray();
  }
}
