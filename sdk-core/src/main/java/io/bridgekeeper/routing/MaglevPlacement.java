package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.Hashing;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted Maglev (Eisenbud et al., NSDI 2016, section 3.4), made exactly proportional.
 *
 * <p>Each ACTIVE shard walks its own pseudo-random permutation of the buckets ({@code offset +
 * j·skip mod B}, skip coprime with B) and claims the next free one when its turn comes. Turns are
 * handed out by stride scheduling (the shard with the smallest {@code (claimed + ½) / weight} goes
 * next), and each shard stops at its quota from the largest-remainder method, so every shard ends
 * with {@code floor} or {@code ceil} of {@code B·weight/Σweight} buckets. All arithmetic is integer:
 * the result is the same on every JVM.
 */
final class MaglevPlacement implements PlacementStrategy {
  static final MaglevPlacement INSTANCE = new MaglevPlacement();

  private static final long OFFSET_SEED = 0x6d61676c65762d6fL; // "maglev-o"
  private static final long SKIP_SEED = 0x6d61676c65762d73L; // "maglev-s"

  private MaglevPlacement() {}

  @Override
  public String name() {
    return "maglev";
  }

  @Override
  public int[] assign(List<Shard> shards, int bucketCount) {
    int m = bucketCount;
    int[] owner = new int[m];
    Arrays.fill(owner, -1);
    int[] active = PlacementStrategy.activeIndices(shards);
    int n = active.length;
    if (n == 0) {
      return owner;
    }
    long[] weight = new long[n];
    long total = 0;
    for (int k = 0; k < n; k++) {
      weight[k] = shards.get(active[k]).weight();
      total += weight[k];
    }
    long[] quota = quotas(weight, total, m);

    long[] position = new long[n];
    long[] skip = new long[n];
    for (int k = 0; k < n; k++) {
      String id = shards.get(active[k]).id();
      position[k] = Math.floorMod(Hashing.hash64(id, OFFSET_SEED), (long) m);
      skip[k] = coprimeSkip(Hashing.hash64(id, SKIP_SEED), m);
    }

    int[] turns = turnOrder(weight, quota, m);
    for (int k : turns) {
      long p = position[k];
      while (owner[(int) p] != -1) {
        p += skip[k];
        if (p >= m) {
          p -= m;
        }
      }
      owner[(int) p] = active[k];
      position[k] = p;
    }
    return owner;
  }

  /** Largest-remainder apportionment of m buckets; ties go to the lower index. */
  static long[] quotas(long[] weight, long total, int m) {
    int n = weight.length;
    long[] quota = new long[n];
    long[] remainder = new long[n];
    long given = 0;
    for (int k = 0; k < n; k++) {
      quota[k] = m * weight[k] / total;
      remainder[k] = m * weight[k] % total;
      given += quota[k];
    }
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> remainder[a] != remainder[b]
        ? Long.compare(remainder[b], remainder[a]) : Integer.compare(a, b));
    for (int r = 0; given < m; r++, given++) {
      quota[order[r]]++;
    }
    return quota;
  }

  private static long coprimeSkip(long hash, int m) {
    if (m == 1) {
      return 0;
    }
    long skip = 1 + Math.floorMod(hash, (long) (m - 1));
    while (gcd(skip, m) != 1) {
      skip = skip % (m - 1) + 1;
    }
    return skip;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /**
   * The claim sequence: shard k's c-th turn (c below its quota) comes at time {@code (2c+1)/w_k}
   * (stride scheduling), earlier times first, equal times by lower k. A binary heap gives this
   * order but its comparisons are unpredictable branches; instead the turns are counting-sorted
   * into m time slots and only turns sharing a slot are compared exactly. Correctly rounded
   * division and multiplication are monotone, so slots never contradict the exact order.
   */
  static int[] turnOrder(long[] weight, long[] quota, int m) {
    int n = weight.length;
    double maxTime = 0;
    for (int k = 0; k < n; k++) {
      if (quota[k] > 0) {
        maxTime = Math.max(maxTime, (2.0 * quota[k] - 1) / weight[k]);
      }
    }
    double scale = (m - 1) / maxTime;
    int[] start = new int[m + 1];
    for (int k = 0; k < n; k++) {
      for (long c = 0; c < quota[k]; c++) {
        start[slot(c, weight[k], scale, m) + 1]++;
      }
    }
    for (int s = 0; s < m; s++) {
      start[s + 1] += start[s];
    }
    int[] next = start.clone();
    int[] shard = new int[m];
    int[] turn = new int[m];
    for (int k = 0; k < n; k++) {
      for (int c = 0; c < quota[k]; c++) {
        int at = next[slot(c, weight[k], scale, m)]++;
        shard[at] = k;
        turn[at] = c;
      }
    }
    // Exact order inside each slot (usually zero or one turn): insertion sort.
    for (int s = 0; s < m; s++) {
      for (int i = start[s] + 1; i < start[s + 1]; i++) {
        int k = shard[i];
        int c = turn[i];
        int j = i - 1;
        while (j >= start[s] && before(k, c, shard[j], turn[j], weight)) {
          shard[j + 1] = shard[j];
          turn[j + 1] = turn[j];
          j--;
        }
        shard[j + 1] = k;
        turn[j + 1] = c;
      }
    }
    return shard;
  }

  private static int slot(long c, long weight, double scale, int m) {
    return (int) Math.min(m - 1, Math.floor((2.0 * c + 1) / weight * scale));
  }

  /** Whether turn c of shard a comes before turn d of shard b: (2c+1)/w_a vs (2d+1)/w_b, exactly. */
  private static boolean before(int a, int c, int b, int d, long[] weight) {
    long lhs = (2L * c + 1) * weight[b];
    long rhs = (2L * d + 1) * weight[a];
    return lhs != rhs ? lhs < rhs : a < b;
  }
}
