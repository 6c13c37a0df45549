package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.Hashing;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted rendezvous hashing (Thaler and Ravishankar; weighted by Schindelhauer and Schomaker's
 * logarithmic method): bucket b goes to the ACTIVE shard with the highest
 * {@code weight / -ln(u(b, shard))}, u uniform in (0, 1). Each bucket follows a fixed preference
 * order over shard ids, so a change moves exactly the buckets it must. {@link StrictMath#log} keeps
 * the scores identical on every JVM; with equal weights the raw hashes are compared (the same
 * order, without the logarithm).
 */
final class RendezvousPlacement implements PlacementStrategy {
  static final RendezvousPlacement INSTANCE = new RendezvousPlacement();

  private static final long SHARD_SEED = 0x6872772d73686172L; // "hrw-shar"
  private static final long BUCKET_SEED = 0x6872772d6275636bL; // "hrw-buck"

  private RendezvousPlacement() {}

  @Override
  public String name() {
    return "rendezvous";
  }

  @Override
  public int[] assign(List<Shard> shards, int bucketCount) {
    int[] owner = new int[bucketCount];
    Arrays.fill(owner, -1);
    int[] active = PlacementStrategy.activeIndices(shards);
    int n = active.length;
    if (n == 0) {
      return owner;
    }
    long[] seed = new long[n];
    double[] weight = new double[n];
    boolean equalWeights = true;
    for (int k = 0; k < n; k++) {
      Shard s = shards.get(active[k]);
      seed[k] = Hashing.hash64(s.id(), SHARD_SEED);
      weight[k] = s.weight();
      equalWeights &= s.weight() == shards.get(active[0]).weight();
    }
    for (int b = 0; b < bucketCount; b++) {
      long bucketHash = Hashing.mix64(b ^ BUCKET_SEED);
      int best = 0;
      if (equalWeights) {
        long bestScore = -1;
        for (int k = 0; k < n; k++) {
          long score = uniform53(seed[k], bucketHash);
          if (score > bestScore) {
            bestScore = score;
            best = k;
          }
        }
      } else {
        double bestScore = -1;
        for (int k = 0; k < n; k++) {
          double u = (uniform53(seed[k], bucketHash) + 0.5) * 0x1.0p-53;
          double score = weight[k] / -StrictMath.log(u);
          if (score > bestScore) {
            bestScore = score;
            best = k;
          }
        }
      }
      owner[b] = active[best];
    }
    return owner;
  }

  /** 53 uniform bits for the pair (shard, bucket). */
  private static long uniform53(long shardSeed, long bucketHash) {
    return Hashing.mix64(shardSeed ^ bucketHash) >>> 11;
  }
}
