package io.bridgekeeper.bridges;

import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole pool at one instant: immutable, what scaling policies and bridge selection read.
 *
 * @param at the instant every state was computed for
 * @param bridges every known bridge, by id
 */
public record PoolSnapshot(Instant at, List<Bridge> bridges) {
  public PoolSnapshot {
    Objects.requireNonNull(at, "at");
    // BridgePool hands over an immutable list already in id order: List.copyOf keeps it as it is.
    bridges = sortedById(bridges) ? List.copyOf(bridges) : bridges.stream().sorted(Comparator.comparing(Bridge::id)).toList();
  }

  private static boolean sortedById(List<Bridge> bridges) {
    for (int i = 1; i < bridges.size(); i++) {
      if (bridges.get(i - 1).id().compareTo(bridges.get(i).id()) > 0) {
        return false;
      }
    }
    return true;
  }

  /** The bridge with {@code id}, if known. */
  public Optional<Bridge> bridge(String id) {
    // bridges is sorted by id: a binary search keeps per-instance lookups cheap at 1,000 bridges.
    int lo = 0;
    int hi = bridges.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = bridges.get(mid).id().compareTo(id);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return Optional.of(bridges.get(mid));
      }
    }
    return Optional.empty();
  }

  /** How many bridges are in each state (every state present, zeros included). */
  public Map<BridgeState, Integer> countByState() {
    Map<BridgeState, Integer> counts = new EnumMap<>(BridgeState.class);
    for (BridgeState s : BridgeState.values()) {
      counts.put(s, 0);
    }
    bridges.forEach(b -> counts.merge(b.state(), 1, Integer::sum));
    return counts;
  }

  /** The bridges in {@code state}. */
  public List<Bridge> inState(BridgeState state) {
    return bridges.stream().filter(b -> b.state() == state).toList();
  }
}
