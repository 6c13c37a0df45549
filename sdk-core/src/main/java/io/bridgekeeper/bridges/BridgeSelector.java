package io.bridgekeeper.bridges;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses a videobridge for a conference the way jicofo does
 * ({@code jitsi/jicofo:jicofo-selector/src/main/kotlin/org/jitsi/jicofo/bridge/BridgeSelector.kt}):
 *
 * <ol>
 *   <li>the conference's version ({@code version-release} of its first bridge, or the one asked for);
 *   <li>every bridge sorted: operational and not in graceful shutdown first, then operational in
 *       graceful shutdown, then the rest; least corrected stress first within each (unknown
 *       stress last: unknown is not idle);
 *   <li>hard filters: operational; not shutting down; same version (unless mixed versions are allowed);
 *   <li>soft preferences, applied only when something is left: not draining, not in graceful shutdown;
 *   <li>a conference that already has a bridge keeps it when it cannot span bridges (no
 *       multi-bridge, or its bridge has no relay id), even overloaded — unless that bridge is no
 *       longer operational, where jicofo would hand back a dead bridge and this returns nothing;
 *   <li>otherwise the {@link BridgeSelectionStrategy} decides.
 * </ol>
 *
 * <p>Immutable and thread-safe; {@link #select} reads only the snapshot it is given.
 */
public final class BridgeSelector {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeSelector.class);

  private final BridgeSelectionStrategy strategy;
  private final int maxBridgeParticipants;
  private final boolean allowMixedVersions;
  private final boolean multiBridge;
  private final Optional<String> localRegion;
  private final List<Set<String>> regionGroups;

  private BridgeSelector(Builder b) {
    strategy = Objects.requireNonNull(b.strategy, "strategy");
    if (b.maxBridgeParticipants == 0 || b.maxBridgeParticipants < -1) {
      throw new IllegalArgumentException("maxBridgeParticipants must be positive or -1 (no maximum), was "
          + b.maxBridgeParticipants);
    }
    maxBridgeParticipants = b.maxBridgeParticipants;
    allowMixedVersions = b.allowMixedVersions;
    multiBridge = b.multiBridge;
    localRegion = b.localRegion;
    Set<String> seen = new LinkedHashSet<>();
    for (Set<String> group : b.regionGroups) {
      for (String region : group) {
        if (!seen.add(region)) {
          throw new IllegalArgumentException("region " + region + " is in two region groups");
        }
      }
    }
    regionGroups = List.copyOf(b.regionGroups);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A bridge for one more participant of a conference.
   *
   * @param pool the bridges now
   * @param conference the conference's bridge ids, in the order they were added → its participants on each
   * @param participantRegion the participant's region, if known
   * @param version a bridge version to use, if any
   * @return the bridge, or empty when none may be used (reason logged)
   */
  public Optional<Bridge> select(PoolSnapshot pool, Map<String, Integer> conference, Optional<String> participantRegion,
      Optional<String> version) {
    Map<String, Integer> conf = new LinkedHashMap<>(conference);
    Optional<String> v = conf.isEmpty() ? version
        : pool.bridge(conf.keySet().iterator().next()).map(Bridge::fullVersion).filter(s -> !s.isEmpty());
    if (v.isEmpty()) {
      v = version;
    } else if (version.isPresent() && !version.equals(v)) {
      LOG.warn("version {} asked for a conference on version {}", version.get(), v.get());
      return Optional.empty();
    }
    List<Bridge> candidates = new ArrayList<>(pool.bridges());
    candidates.sort(ORDER);
    candidates.removeIf(b -> !b.operational());
    if (candidates.isEmpty()) {
      LOG.warn("no operational bridges");
      return Optional.empty();
    }
    candidates.removeIf(Bridge::shuttingDown);
    if (candidates.isEmpty()) {
      LOG.warn("every operational bridge is shutting down");
      return Optional.empty();
    }
    if (v.isPresent() && !allowMixedVersions) {
      String required = v.get();
      candidates.removeIf(b -> !b.fullVersion().equals(required));
      if (candidates.isEmpty()) {
        LOG.warn("no bridge with version {}", required);
        return Optional.empty();
      }
    }
    candidates = prefer(candidates, b -> !b.draining());
    candidates = prefer(candidates, b -> !b.gracefulShutdown());

    if (!conf.isEmpty()) {
      Optional<Bridge> existing = pool.bridge(conf.keySet().iterator().next());
      if (!multiBridge || existing.map(b -> !b.hasRelay()).orElse(true)) {
        return existing.filter(Bridge::operational);
      }
    }
    return strategy.select(List.copyOf(candidates), Map.copyOf(conf), participantRegion, context(pool));
  }

  /** jicofo's Bridge.compare: priority, then corrected stress (unknown last), then id for determinism. */
  private static final Comparator<Bridge> ORDER = Comparator
      .comparingInt((Bridge b) -> b.operational() ? (b.gracefulShutdown() ? 2 : 1) : 3)
      .thenComparingDouble(b -> b.correctedStress().orElse(Double.MAX_VALUE))
      .thenComparing(Bridge::id);

  private static List<Bridge> prefer(List<Bridge> candidates, java.util.function.Predicate<Bridge> preferred) {
    List<Bridge> kept = candidates.stream().filter(preferred).toList();
    return kept.isEmpty() ? candidates : new ArrayList<>(kept);
  }

  private BridgeSelectionStrategy.Context context(PoolSnapshot pool) {
    return new BridgeSelectionStrategy.Context() {
      @Override
      public boolean overloaded(Bridge bridge, Map<String, Integer> conference) {
        return bridge.state() == BridgeState.OVERLOADED
            || (maxBridgeParticipants > 0 && conference.getOrDefault(bridge.id(), 0) >= maxBridgeParticipants);
      }

      @Override
      public Set<String> regionGroup(Optional<String> region) {
        if (region.isEmpty()) {
          return Set.of();
        }
        return regionGroups.stream().filter(g -> g.contains(region.get())).findFirst().orElse(Set.of(region.get()));
      }

      @Override
      public Optional<String> localRegion() {
        return localRegion;
      }

      @Override
      public Optional<Bridge> bridge(String id) {
        return pool.bridge(id);
      }
    };
  }

  /** Options; defaults are jicofo's ({@code reference.conf}). */
  public static final class Builder {
    private BridgeSelectionStrategy strategy = BridgeSelectionStrategy.singleBridge();
    private int maxBridgeParticipants = 80;
    private boolean allowMixedVersions;
    private boolean multiBridge;
    private Optional<String> localRegion = Optional.empty();
    private final List<Set<String>> regionGroups = new ArrayList<>();

    private Builder() {}

    public Builder strategy(BridgeSelectionStrategy strategy) {
      this.strategy = strategy;
      return this;
    }

    /** Participants of one conference on one bridge before it counts as overloaded for it (80; -1: none). */
    public Builder maxBridgeParticipants(int max) {
      this.maxBridgeParticipants = max;
      return this;
    }

    /** jicofo.octo.allow-mixed-versions. */
    public Builder allowMixedVersions(boolean allow) {
      this.allowMixedVersions = allow;
      return this;
    }

    /** jicofo.octo.enabled: conferences may span bridges (that have a relay id). */
    public Builder multiBridge(boolean enabled) {
      this.multiBridge = enabled;
      return this;
    }

    /** jicofo.local-region. */
    public Builder localRegion(String region) {
      this.localRegion = Optional.of(region);
      return this;
    }

    /** One region group (jicofo.bridge.region-groups); a region may be in one group only. */
    public Builder regionGroup(Set<String> regions) {
      this.regionGroups.add(Set.copyOf(regions));
      return this;
    }

    /** @throws IllegalArgumentException naming the first bad option */
    public BridgeSelector build() {
      return new BridgeSelector(this);
    }
  }
}
