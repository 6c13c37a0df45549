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
    int[] active = java.util.stream.IntStream.range(0, shards.size()).filter(i -> shards.get(i).isActive()).toArray();
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

    int[] claimed = new int[n];
    TurnHeap turns = new TurnHeap(weight, claimed);
    for (int k = 0; k < n; k++) {
      if (quota[k] > 0) {
        turns.push(k);
      }
    }
    for (int filled = 0; filled < m; filled++) {
      int k = turns.pop();
      long p = position[k];
      while (owner[(int) p] != -1) {
        p += skip[k];
        if (p >= m) {
          p -= m;
        }
      }
      owner[(int) p] = active[k];
      position[k] = p;
      claimed[k]++;
      if (claimed[k] < quota[k]) {
        turns.push(k);
      }
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
   * Min-heap of shard slots ordered by {@code (2·claimed + 1) / weight}, compared exactly by cross
   * multiplication, ties to the lower slot.
   */
  private static final class TurnHeap {
    private final long[] weight;
    private final int[] claimed;
    private final int[] heap;
    private int size;

    TurnHeap(long[] weight, int[] claimed) {
      this.weight = weight;
      this.claimed = claimed;
      this.heap = new int[weight.length];
    }

    private boolean before(int a, int b) {
      long lhs = (2L * claimed[a] + 1) * weight[b];
      long rhs = (2L * claimed[b] + 1) * weight[a];
      return lhs != rhs ? lhs < rhs : a < b;
    }

    void push(int k) {
      int i = size++;
      heap[i] = k;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!before(heap[i], heap[parent])) {
          break;
        }
        swap(i, parent);
        i = parent;
      }
    }

    int pop() {
      int top = heap[0];
      heap[0] = heap[--size];
      int i = 0;
      while (true) {
        int l = 2 * i + 1;
        int r = l + 1;
        int best = i;
        if (l < size && before(heap[l], heap[best])) {
          best = l;
        }
        if (r < size && before(heap[r], heap[best])) {
          best = r;
        }
        if (best == i) {
          return top;
        }
        swap(i, best);
        i = best;
      }
    }

    private void swap(int i, int j) {
      int t = heap[i];
      heap[i] = heap[j];
      heap[j] = t;
    }
  }
}
