package io.bridgekeeper.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changes between two routing tables of the same bucket count: the buckets that move and the
 * pins that appear, change or go. An adapter pushes {@link #pinsSet()} before {@link #moves()} so
 * that no live room follows its bucket.
 *
 * @param fromVersion topology version of the older table
 * @param toVersion topology version of the newer table
 * @param moves buckets whose owner changes, in bucket order
 * @param pinsSet pins that are new or point to another shard in the newer table (key → shard id)
 * @param pinsRemoved pins of the older table that the newer one does not have
 */
public record RoutingDiff(
    long fromVersion,
    long toVersion,
    List<BucketMove> moves,
    SortedMap<RoomKey, String> pinsSet,
    SortedSet<RoomKey> pinsRemoved) {

  public RoutingDiff {
    moves = List.copyOf(moves);
    pinsSet = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(pinsSet));
    pinsRemoved = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(pinsRemoved));
  }

  /** One bucket changing owner; a side is {@code null} when no shard owns the bucket there. */
  public record BucketMove(int bucket, String fromShard, String toShard) {
    public BucketMove {
      if (Objects.equals(fromShard, toShard)) {
        throw new IllegalArgumentException("bucket " + bucket + " does not move");
      }
    }
  }

  /** Computes {@code to} minus {@code from}. */
  public static RoutingDiff between(RoutingTable from, RoutingTable to) {
    if (from.bucketCount() != to.bucketCount()) {
      throw new IllegalArgumentException("cannot diff tables with " + from.bucketCount() + " and "
          + to.bucketCount() + " buckets: a bucket-count change re-routes every room and needs a new "
          + "HAProxy configuration");
    }
    RoomKeyRules rulesBefore = from.topology().roomKeys();
    RoomKeyRules rulesAfter = to.topology().roomKeys();
    if (rulesBefore.tenantInKey() != rulesAfter.tenantInKey()
        || !rulesBefore.signallingPaths().equals(rulesAfter.signallingPaths())) {
      // Like a bucket-count change: the same request gets another key, so pins and live rooms no
      // longer match what HAProxy computes. Static directories, reserved names and the key limit
      // only decide which requests carry a room, and may change.
      throw new IllegalArgumentException("cannot diff tables whose room keys differ (tenantInKey "
          + rulesBefore.tenantInKey() + " -> " + rulesAfter.tenantInKey() + ", signallingPaths "
          + rulesBefore.signallingPaths() + " -> " + rulesAfter.signallingPaths()
          + "): that gives rooms other keys and needs a new HAProxy configuration");
    }
    List<BucketMove> moves = new java.util.ArrayList<>();
    for (int b = 0; b < to.bucketCount(); b++) {
      String f = from.ownerId(b);
      String t = to.ownerId(b);
      if (!Objects.equals(f, t)) {
        moves.add(new BucketMove(b, f, t));
      }
    }
    Map<RoomKey, String> before = from.pins();
    Map<RoomKey, String> after = to.pins();
    TreeMap<RoomKey, String> set = new TreeMap<>();
    after.forEach((k, v) -> {
      if (!v.equals(before.get(k))) {
        set.put(k, v);
      }
    });
    TreeSet<RoomKey> removed = new TreeSet<>();
    before.keySet().forEach(k -> {
      if (!after.containsKey(k)) {
        removed.add(k);
      }
    });
    return new RoutingDiff(from.topology().version(), to.topology().version(), moves, set, removed);
  }

  /** Whether nothing changes. */
  public boolean isEmpty() {
    return moves.isEmpty() && pinsSet.isEmpty() && pinsRemoved.isEmpty();
  }
}
