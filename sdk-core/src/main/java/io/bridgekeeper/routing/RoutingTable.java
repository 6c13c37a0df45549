package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.RequestTargetScanner;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32;

/**
 * An immutable routing snapshot: the bucket → shard table built from a {@link Topology}, plus the
 * pins that keep live rooms where they are. Safe to share between threads; every method that
 * "changes" it returns a new table.
 *
 * <p>{@link #route(RoomKey)} is a bit test and two array reads; {@link #route(CharSequence)}
 * parses the target into a per-thread buffer. Neither allocates.
 */
public final class RoutingTable {
  /** Per-thread scratch for parsing request targets; sized for the largest key any rules allow. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Topology topology;
  private final PlacementStrategy strategy;
  private final int bucketCount;
  private final Shard[] shards;
  private final int[] owner;
  private final PinTable pins;
  private final Optional<Shard>[] routes;
  private final RequestTargetScanner scanner;
  private final int maxKeyBytes;

  @SuppressWarnings("unchecked")
  private RoutingTable(Topology topology, PlacementStrategy strategy, int[] owner) {
    this.topology = topology;
    this.strategy = strategy;
    this.bucketCount = topology.bucketCount();
    this.shards = topology.shards().toArray(Shard[]::new);
    this.owner = owner;
    this.pins = PinTable.EMPTY;
    this.routes = new Optional[shards.length];
    for (int i = 0; i < shards.length; i++) {
      routes[i] = Optional.of(shards[i]);
    }
    this.scanner = new RequestTargetScanner(topology.roomKeys());
    this.maxKeyBytes = topology.roomKeys().maxKeyBytes();
  }

  /** The same bucket table with other pins: shares everything derived from the topology. */
  private RoutingTable(RoutingTable base, PinTable pins) {
    this.topology = base.topology;
    this.strategy = base.strategy;
    this.bucketCount = base.bucketCount;
    this.shards = base.shards;
    this.owner = base.owner;
    this.pins = pins;
    this.routes = base.routes;
    this.scanner = base.scanner;
    this.maxKeyBytes = base.maxKeyBytes;
  }

  /** The table of {@code topology} with the strategy it names, without pins. */
  public static RoutingTable of(Topology topology) {
    return of(topology, PlacementStrategy.named(topology.placement()));
  }

  /**
   * The table of {@code topology} built with {@code strategy} (which overrides the topology's
   * own choice; every process must then use the same strategy).
   */
  public static RoutingTable of(Topology topology, PlacementStrategy strategy) {
    int[] owner = strategy.assign(topology.shards(), topology.bucketCount());
    if (owner.length != topology.bucketCount()) {
      throw new IllegalStateException("placement " + strategy.name() + " returned " + owner.length
          + " owners for " + topology.bucketCount() + " buckets");
    }
    for (int b = 0; b < owner.length; b++) {
      int o = owner[b];
      if (o < -1 || o >= topology.shards().size() || (o >= 0 && !topology.shards().get(o).isActive())) {
        throw new IllegalStateException("placement " + strategy.name() + " gave bucket " + b
            + " to " + (o < 0 || o >= topology.shards().size() ? "index " + o
            : "non-ACTIVE shard " + topology.shards().get(o).id()));
      }
    }
    return new RoutingTable(topology, strategy, owner);
  }

  // ---------------------------------------------------------------- hot path

  /**
   * The shard of a room: its pin if it has one, else the owner of its bucket.
   *
   * @throws RoomKeyException when the key is longer than the topology's
   *     {@link RoomKeyRules#maxKeyBytes()} (HAProxy answers 400 to such a request; a key made with
   *     the default rules can be)
   * @throws NoRouteException when the room is not pinned and no shard is ACTIVE
   */
  public Shard route(RoomKey key) {
    if (key.length() > maxKeyBytes) {
      throw tooLong(key);
    }
    int b = Buckets.bucketOf(key.crc32Bits(), bucketCount);
    int s = pins.lookup(key, b);
    if (s < 0) {
      s = owner[b];
      if (s < 0) {
        throw noRoute(b);
      }
    }
    return shards[s];
  }

  /**
   * The shard of the room a raw HTTP request target names, or empty when it names none (static
   * files). Applies {@link Topology#roomKeys()}.
   *
   * @throws RoomKeyException when HAProxy would answer 400
   * @throws NoRouteException when the room is not pinned and no shard is ACTIVE
   */
  public Optional<Shard> route(CharSequence requestTarget) {
    Scratch scratch = SCRATCH.get();
    int len = scanner.scan(requestTarget, scratch.chars, scratch.buffer);
    if (len == RequestTargetScanner.NO_ROOM) {
      return Optional.empty();
    }
    CRC32 crc = scratch.crc;
    crc.reset();
    crc.update(scratch.buffer, 0, len);
    int crcBits = (int) crc.getValue();
    int b = Buckets.bucketOf(crcBits, bucketCount);
    int s = pins.lookup(scratch.buffer, len, crcBits, b);
    if (s < 0) {
      s = owner[b];
      if (s < 0) {
        throw noRoute(b);
      }
    }
    return routes[s];
  }

  private RoomKeyException tooLong(RoomKey key) {
    return new RoomKeyException(RoomKeyException.Reason.TOO_LONG, maxKeyBytes, "room key is " + key.length()
        + " bytes long, the maximum of topology version " + topology.version() + " is " + maxKeyBytes);
  }

  private NoRouteException noRoute(int bucket) {
    return new NoRouteException("no ACTIVE shard in topology version " + topology.version()
        + " owns bucket " + bucket + " and the room is not pinned");
  }

  // ---------------------------------------------------------------- reading

  public Topology topology() {
    return topology;
  }

  /** Name of the strategy that built the bucket table. */
  public String strategyName() {
    return strategy.name();
  }

  public int bucketCount() {
    return bucketCount;
  }

  /** The owner of a bucket, or empty when no shard is ACTIVE. */
  public Optional<Shard> owner(int bucket) {
    int s = owner[checkBucket(bucket)];
    return s < 0 ? Optional.empty() : routes[s];
  }

  /** Id of the owner of a bucket, or {@code null} when no shard is ACTIVE. */
  public String ownerId(int bucket) {
    int s = owner[checkBucket(bucket)];
    return s < 0 ? null : shards[s].id();
  }

  private int checkBucket(int bucket) {
    if (bucket < 0 || bucket >= bucketCount) {
      throw new IndexOutOfBoundsException("bucket " + bucket + " is not in [0, " + bucketCount + ")");
    }
    return bucket;
  }

  /** Number of buckets each shard owns, by shard id (shards with none included). */
  public Map<String, Integer> bucketCounts() {
    int[] counts = new int[shards.length];
    for (int o : owner) {
      if (o >= 0) {
        counts[o]++;
      }
    }
    TreeMap<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < shards.length; i++) {
      m.put(shards[i].id(), counts[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** Pinned rooms → shard id, in key order. */
  public Map<RoomKey, String> pins() {
    TreeMap<RoomKey, String> m = new TreeMap<>();
    for (int i = 0; i < pins.size(); i++) {
      m.put(pins.key(i), shards[pins.shard(i)].id());
    }
    return Collections.unmodifiableMap(m);
  }

  public int pinCount() {
    return pins.size();
  }

  /** Changes from {@code previous} to this table. */
  public RoutingDiff diffFrom(RoutingTable previous) {
    return RoutingDiff.between(previous, this);
  }

  /**
   * A canonical encoding of the bucket table, pins and room-key rules: equal for tables that send
   * every request to the same shard, whatever order the topology listed its shards in. Format:
   * strategy name, B, shard ids, owner index per bucket (-1 for none), each pin as key bytes and
   * shard index, then the rules (tenant in key, maximum key length, signalling paths in order,
   * static directories and reserved names sorted) — two processes that agree on buckets but not
   * on how a request becomes a key do not route alike.
   */
  public byte[] canonicalBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + owner.length * 4);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(strategy.name());
      out.writeInt(bucketCount);
      out.writeInt(shards.length);
      for (Shard s : shards) {
        out.writeUTF(s.id());
      }
      for (int o : owner) {
        out.writeInt(o);
      }
      out.writeInt(pins.size());
      for (int i = 0; i < pins.size(); i++) {
        byte[] k = pins.key(i).bytes();
        out.writeInt(k.length);
        out.write(k);
        out.writeInt(pins.shard(i));
      }
      RoomKeyRules rules = topology.roomKeys();
      out.writeBoolean(rules.tenantInKey());
      out.writeInt(rules.maxKeyBytes());
      for (Collection<String> names : List.of(rules.signallingPaths(), new TreeSet<>(rules.staticDirectories()),
          new TreeSet<>(rules.reservedNames()))) {
        out.writeInt(names.size());
        for (String name : names) {
          out.writeUTF(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** SHA-256 of {@link #canonicalBytes()}, hex: compare tables across processes cheaply. */
  public String fingerprint() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  // ---------------------------------------------------------------- deriving

  /**
   * This table with {@code key} pinned to a shard (replacing an earlier pin).
   *
   * @throws IllegalArgumentException if the shard is unknown or DOWN
   */
  public RoutingTable withPin(RoomKey key, String shardId) {
    return withPins(Map.of(key, shardId));
  }

  /** This table with all of {@code newPins} added (replacing earlier pins of the same rooms). */
  public RoutingTable withPins(Map<RoomKey, String> newPins) {
    TreeMap<RoomKey, Integer> merged = currentPins();
    newPins.forEach((k, id) -> merged.put(k, pinnableIndex(id, k)));
    return withPinIndexes(merged);
  }

  /** This table without pins for these rooms (rooms that ended). */
  public RoutingTable withoutPins(Collection<RoomKey> ended) {
    TreeMap<RoomKey, Integer> merged = currentPins();
    ended.forEach(merged::remove);
    return withPinIndexes(merged);
  }

  /**
   * The table for {@code next}, keeping this table's pins except those whose shard is gone or
   * DOWN there.
   */
  public RoutingTable next(Topology next) {
    RoutingTable fresh = of(next, strategyFor(next));
    TreeMap<RoomKey, Integer> kept = new TreeMap<>();
    for (int i = 0; i < pins.size(); i++) {
      int idx = fresh.pinnableIndexOrMinusOne(shards[pins.shard(i)].id());
      if (idx >= 0) {
        kept.put(pins.key(i), idx);
      }
    }
    return fresh.withPinIndexes(kept);
  }

  /**
   * The table for {@code next} that keeps every live room where it is now: it pins exactly the
   * live rooms whose shard under {@code next} would differ from their shard under this table, and
   * drops every other pin. A live room whose shard is gone or DOWN in {@code next} is not pinned: it
   * has to move. Build this <em>before</em> publishing {@code next}, so no live room ever sees the
   * new bucket table without its pin.
   */
  public RoutingTable next(Topology next, Collection<RoomKey> liveRooms) {
    RoutingTable fresh = of(next, strategyFor(next));
    TreeMap<RoomKey, Integer> pinned = new TreeMap<>();
    Set<RoomKey> seen = new HashSet<>();
    for (RoomKey room : liveRooms) {
      if (!seen.add(room)) {
        continue;
      }
      int b = Buckets.bucketOf(room.crc32Bits(), bucketCount);
      int now = pins.lookup(room, b);
      if (now < 0) {
        now = owner[b];
      }
      if (now < 0) {
        continue;
      }
      int keep = fresh.pinnableIndexOrMinusOne(shards[now].id());
      if (keep < 0) {
        continue;
      }
      int nb = Buckets.bucketOf(room.crc32Bits(), fresh.bucketCount);
      if (fresh.owner[nb] != keep) {
        pinned.put(room, keep);
      }
    }
    return fresh.withPinIndexes(pinned);
  }

  private PlacementStrategy strategyFor(Topology next) {
    // A table built with a custom strategy keeps it; otherwise follow the topology's choice.
    return strategy.name().equals(topology.placement())
        ? PlacementStrategy.named(next.placement()) : strategy;
  }

  private TreeMap<RoomKey, Integer> currentPins() {
    TreeMap<RoomKey, Integer> m = new TreeMap<>();
    for (int i = 0; i < pins.size(); i++) {
      m.put(pins.key(i), pins.shard(i));
    }
    return m;
  }

  private int pinnableIndex(String shardId, RoomKey key) {
    int idx = indexOf(shardId);
    if (idx < 0) {
      throw new IllegalArgumentException("cannot pin room " + key + " to shard '"
          + Shard.printable(String.valueOf(shardId)) + "': no such shard in topology version "
          + topology.version());
    }
    if (shards[idx].state() == ShardState.DOWN) {
      throw new IllegalArgumentException(
          "cannot pin room " + key + " to shard " + shardId + ": it is DOWN");
    }
    return idx;
  }

  private int pinnableIndexOrMinusOne(String shardId) {
    int idx = indexOf(shardId);
    return idx >= 0 && shards[idx].state() != ShardState.DOWN ? idx : -1;
  }

  private int indexOf(String shardId) {
    for (int i = 0; i < shards.length; i++) {
      if (shards[i].id().equals(shardId)) {
        return i;
      }
    }
    return -1;
  }

  private RoutingTable withPinIndexes(TreeMap<RoomKey, Integer> sortedPins) {
    RoomKey[] keys = sortedPins.keySet().toArray(RoomKey[]::new);
    int[] idx = sortedPins.values().stream().mapToInt(Integer::intValue).toArray();
    return new RoutingTable(this, new PinTable(keys, idx, bucketCount));
  }

  /** Shards of this table, sorted by id. */
  public List<Shard> shards() {
    return List.of(shards);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutingTable t && t.topology.equals(topology) && t.strategy.name().equals(strategy.name())
        && Arrays.equals(t.owner, owner) && t.pins().equals(pins());
  }

  @Override
  public int hashCode() {
    return topology.hashCode() * 31 + Arrays.hashCode(owner);
  }

  @Override
  public String toString() {
    return "RoutingTable{version=" + topology.version() + ", strategy=" + strategy.name() + ", buckets="
        + bucketCount + ", shards=" + shards.length + ", pins=" + pins.size() + "}";
  }

  private static final class Scratch {
    final byte[] buffer = new byte[RoomKeyRules.MAX_MAX_KEY_BYTES];
    // HAProxy's default buffer (tune.bufsize) is 16 KiB: no request target it accepts is longer.
    final char[] chars = new char[16_384];
    final CRC32 crc = new CRC32();
  }

}
