package io.bridgekeeper.routing;

import java.util.Arrays;

/**
 * Immutable open-addressing index of pinned rooms → shard index, with a per-bucket bit so that
 * the usual lookup (bucket without pins) costs one bit test. Lookups do not allocate.
 */
final class PinTable {
  static final PinTable EMPTY = new PinTable(new RoomKey[0], new int[0], 1);

  private final RoomKey[] keys; // sorted
  private final int[] shards; // parallel to keys
  private final int[] slots; // index into keys, -1 empty
  private final int mask;
  private final long[] bucketHasPin; // null when empty

  /** {@code keys} must be sorted and distinct; {@code shardIndex} parallel to it. */
  PinTable(RoomKey[] keys, int[] shardIndex, int bucketCount) {
    this.keys = keys;
    this.shards = shardIndex;
    if (keys.length == 0) {
      this.slots = new int[0];
      this.mask = 0;
      this.bucketHasPin = null;
      return;
    }
    int capacity = Integer.highestOneBit(Math.max(4, keys.length * 2 - 1)) << 1;
    this.slots = new int[capacity];
    this.mask = capacity - 1;
    Arrays.fill(slots, -1);
    this.bucketHasPin = new long[(bucketCount + 63) >>> 6];
    for (int i = 0; i < keys.length; i++) {
      int s = spread(keys[i].crc32Bits()) & mask;
      while (slots[s] != -1) {
        s = (s + 1) & mask;
      }
      slots[s] = i;
      int b = keys[i].bucket(bucketCount);
      bucketHasPin[b >>> 6] |= 1L << b;
    }
  }

  int size() {
    return keys.length;
  }

  RoomKey key(int i) {
    return keys[i];
  }

  int shard(int i) {
    return shards[i];
  }

  /** Shard index pinned for {@code key} in {@code bucket}, or -1. */
  int lookup(RoomKey key, int bucket) {
    if (bucketHasPin == null || (bucketHasPin[bucket >>> 6] & (1L << bucket)) == 0) {
      return -1;
    }
    int crc = key.crc32Bits();
    for (int s = spread(crc) & mask; slots[s] != -1; s = (s + 1) & mask) {
      RoomKey k = keys[slots[s]];
      if (k.crc32Bits() == crc && k.equals(key)) {
        return shards[slots[s]];
      }
    }
    return -1;
  }

  /** Same, for a key held in the first {@code len} bytes of a scratch buffer. */
  int lookup(byte[] buf, int len, int crc, int bucket) {
    if (bucketHasPin == null || (bucketHasPin[bucket >>> 6] & (1L << bucket)) == 0) {
      return -1;
    }
    for (int s = spread(crc) & mask; slots[s] != -1; s = (s + 1) & mask) {
      RoomKey k = keys[slots[s]];
      if (k.crc32Bits() == crc && k.contentEquals(buf, len)) {
        return shards[slots[s]];
      }
    }
    return -1;
  }

  /** CRC bits are linear; a multiplicative spread keeps probe chains short. */
  private static int spread(int h) {
    return (h * 0x9E3779B9) ^ (h >>> 16);
  }
}
