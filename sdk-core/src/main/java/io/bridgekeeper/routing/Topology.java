package io.bridgekeeper.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The shard set and the routing settings every process and every HAProxy must agree on: bucket
 * count, placement strategy and room-key rules. Immutable and versioned.
 *
 * <p>The routing table is a pure function of a topology: processes that load the same topology, its
 * shards listed in any order, build byte-identical tables. Shards are kept sorted by id.
 *
 * <p>Load one from a file with {@link TopologyFiles}; build one in code with {@link #builder()}.
 */
public final class Topology {
  private final long version;
  private final int bucketCount;
  private final String placement;
  private final RoomKeyRules roomKeys;
  private final List<Shard> shards;
  private final Map<String, Shard> byId;

  private Topology(Builder b) {
    if (b.version < 0) {
      throw new TopologyException("version must be 0 or more, was " + b.version);
    }
    try {
      Buckets.checkBucketCount(b.bucketCount);
    } catch (IllegalArgumentException e) {
      throw new TopologyException(e.getMessage());
    }
    if (!PlacementStrategy.isKnown(b.placement)) {
      throw new TopologyException("placement '" + Shard.printable(String.valueOf(b.placement))
          + "' is not one of " + PlacementStrategy.knownNames());
    }
    if (b.shards.isEmpty()) {
      throw new TopologyException("a topology needs at least one shard");
    }
    List<Shard> sorted = new ArrayList<>(b.shards);
    sorted.sort(Comparator.comparing(Shard::id));
    Map<String, Shard> index = new LinkedHashMap<>();
    Set<String> backends = new HashSet<>();
    for (Shard s : sorted) {
      if (index.put(s.id(), s) != null) {
        throw new TopologyException("shard id '" + s.id() + "' appears more than once");
      }
      if (!backends.add(s.backend())) {
        throw new TopologyException(
            "backend '" + s.backend() + "' is used by more than one shard (second: " + s.id() + ")");
      }
    }
    this.version = b.version;
    this.bucketCount = b.bucketCount;
    this.placement = b.placement;
    this.roomKeys = Objects.requireNonNull(b.roomKeys, "roomKeys");
    this.shards = List.copyOf(sorted);
    this.byId = Map.copyOf(index);
  }

  /** A builder with the defaults: version 0, {@link Buckets#DEFAULT_BUCKET_COUNT} buckets, maglev. */
  public static Builder builder() {
    return new Builder();
  }

  /** A topology of ACTIVE shards with default settings, for tests and examples. */
  public static Topology of(String... shardIds) {
    Builder b = builder();
    for (String id : shardIds) {
      b.shard(Shard.of(id));
    }
    return b.build();
  }

  /** A builder holding this topology's contents. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.version = version;
    b.bucketCount = bucketCount;
    b.placement = placement;
    b.roomKeys = roomKeys;
    b.shards.addAll(shards);
    return b;
  }

  public long version() {
    return version;
  }

  /** B: keys hash into {@code crc32 mod B}. */
  public int bucketCount() {
    return bucketCount;
  }

  /** Name of the placement strategy ({@link PlacementStrategy#name()}). */
  public String placement() {
    return placement;
  }

  public RoomKeyRules roomKeys() {
    return roomKeys;
  }

  /** All shards, sorted by id. */
  public List<Shard> shards() {
    return shards;
  }

  public Optional<Shard> shard(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Shards that own buckets. */
  public List<Shard> activeShards() {
    return shards.stream().filter(Shard::isActive).toList();
  }

  /** This topology with one more shard, or a replaced one of the same id; version + 1. */
  public Topology withShard(Shard shard) {
    Builder b = toBuilder();
    b.shards.removeIf(s -> s.id().equals(shard.id()));
    b.shards.add(shard);
    return b.version(version + 1).build();
  }

  /** This topology without a shard; version + 1. */
  public Topology withoutShard(String id) {
    requireShard(id);
    Builder b = toBuilder();
    b.shards.removeIf(s -> s.id().equals(id));
    return b.version(version + 1).build();
  }

  /** This topology with one shard changed; version + 1. */
  public Topology withShardChanged(String id, UnaryOperator<Shard> change) {
    Shard old = requireShard(id);
    Shard changed = change.apply(old);
    if (!changed.id().equals(id)) {
      throw new TopologyException("a shard change may not rename shard " + id);
    }
    return withShard(changed);
  }

  public Topology withState(String id, ShardState state) {
    return withShardChanged(id, s -> s.withState(state));
  }

  public Topology withWeight(String id, int weight) {
    return withShardChanged(id, s -> s.withWeight(weight));
  }

  private Shard requireShard(String id) {
    Shard s = byId.get(id);
    if (s == null) {
      throw new TopologyException("no shard '" + Shard.printable(String.valueOf(id)) + "' in topology version " + version);
    }
    return s;
  }

  /** Same shards and settings, ignoring the version. */
  public boolean sameRoutingAs(Topology o) {
    return bucketCount == o.bucketCount && placement.equals(o.placement)
        && roomKeys.equals(o.roomKeys) && shards.equals(o.shards);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Topology t && t.version == version && sameRoutingAs(t);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, bucketCount, placement, roomKeys, shards);
  }

  @Override
  public String toString() {
    return "Topology{version=" + version + ", buckets=" + bucketCount + ", placement=" + placement
        + ", shards=" + shards.stream().map(s -> s.id() + "(" + s.state() + ",w" + s.weight() + ")").toList() + "}";
  }

  /** Collects a topology; {@link #build()} checks it whole and names the first problem. */
  public static final class Builder {
    private long version;
    private int bucketCount = Buckets.DEFAULT_BUCKET_COUNT;
    private String placement = PlacementStrategy.DEFAULT_NAME;
    private RoomKeyRules roomKeys = RoomKeyRules.defaults();
    private final List<Shard> shards = new ArrayList<>();

    private Builder() {}

    public Builder version(long version) {
      this.version = version;
      return this;
    }

    public Builder bucketCount(int bucketCount) {
      this.bucketCount = bucketCount;
      return this;
    }

    public Builder placement(String placement) {
      this.placement = placement;
      return this;
    }

    public Builder roomKeys(RoomKeyRules roomKeys) {
      this.roomKeys = Objects.requireNonNull(roomKeys, "roomKeys");
      return this;
    }

    public Builder shard(Shard shard) {
      shards.add(Objects.requireNonNull(shard, "shard"));
      return this;
    }

    public Builder shards(Collection<Shard> more) {
      more.forEach(this::shard);
      return this;
    }

    /** @throws TopologyException naming what is wrong */
    public Topology build() {
      return new Topology(this);
    }
  }
}
