package io.bridgekeeper.routing;

/**
 * Bucket arithmetic of the routing contract: {@code bucket = crc32(key) mod B}, with the CRC taken
 * as unsigned (HAProxy: {@code crc32,mod(B)}).
 */
public final class Buckets {
  /**
   * Default bucket count: 65,536. A power of two (the modulo is a mask) and large enough that at
   * 1,000 equal shards each owns 65 or 66 buckets, within 2% of its fair share; the HAProxy map it
   * needs is about 1 MB and swaps in well under a second.
   */
  public static final int DEFAULT_BUCKET_COUNT = 65_536;

  /** Largest supported bucket count (2^24): a bigger map no longer swaps quickly in HAProxy. */
  public static final int MAX_BUCKET_COUNT = 1 << 24;

  private Buckets() {}

  /** {@code crc32Bits} read as unsigned, modulo {@code bucketCount}. */
  public static int bucketOf(int crc32Bits, int bucketCount) {
    // A mask is the same as the unsigned modulo for powers of two, and several times cheaper.
    if ((bucketCount & (bucketCount - 1)) == 0) {
      return crc32Bits & (bucketCount - 1);
    }
    return Integer.remainderUnsigned(crc32Bits, bucketCount);
  }

  /** Checks a bucket count, naming the problem. */
  public static int checkBucketCount(int bucketCount) {
    if (bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT) {
      throw new IllegalArgumentException(
          "bucket count must be between 1 and " + MAX_BUCKET_COUNT + ", was " + bucketCount);
    }
    return bucketCount;
  }
}
