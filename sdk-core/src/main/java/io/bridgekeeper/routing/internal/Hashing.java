package io.bridgekeeper.routing.internal;

import java.nio.charset.StandardCharsets;

/**
 * The fixed 64-bit hashes placement strategies derive their choices from. Changing anything here
 * changes every table, so the functions are spelled out rather than borrowed from a library whose
 * output might change between versions. Stateless and thread-safe.
 */
public final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  /** FNV-1a 64 of the UTF-8 bytes of {@code s}, seeded, then {@link #mix64 mixed}. */
  public static long hash64(String s, long seed) {
    long h = FNV_OFFSET ^ mix64(seed);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return mix64(h);
  }

  /** The MurmurHash3 64-bit finaliser: a bijection that spreads every input bit. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
