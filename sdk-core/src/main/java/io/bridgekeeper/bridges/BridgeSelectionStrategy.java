package io.bridgekeeper.bridges;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a bridge is chosen among the candidates {@link BridgeSelector} leaves after jicofo's filters,
 * ordered least loaded first. Implementations reproduce jicofo's
 * ({@code jitsi/jicofo:jicofo-selector/src/main/kotlin/org/jitsi/jicofo/bridge/*SelectionStrategy.kt}).
 * Stateless and thread-safe.
 */
public interface BridgeSelectionStrategy {

  /**
   * Chooses for a conference that needs a bridge (a new one, or another one for a multi-bridge
   * conference).
   *
   * @param candidates operational bridges, best first (see {@link BridgeSelector})
   * @param conference the conference's bridges (ids, in the order they joined) → its participants on each
   * @param participantRegion the new participant's region, if known
   * @param context what "overloaded" and "region group" mean for this selection
   */
  Optional<Bridge> select(List<Bridge> candidates, Map<String, Integer> conference, Optional<String> participantRegion,
      Context context);

  /** What the strategies share: the per-conference overload rule and the region groups. */
  interface Context {
    /** Overloaded for this conference: OVERLOADED, or its share of the conference at the per-bridge maximum. */
    boolean overloaded(Bridge bridge, Map<String, Integer> conference);

    /** The regions grouped with {@code region}, itself included; empty for no region. */
    Set<String> regionGroup(Optional<String> region);

    /** Where this selector runs ({@code jicofo.local-region}), if set. */
    Optional<String> localRegion();

    /** Any bridge of the pool by id, candidate or not. */
    Optional<Bridge> bridge(String id);
  }

  /** jicofo's default: one bridge per conference, the least loaded in the participant's region first. */
  static BridgeSelectionStrategy singleBridge() {
    return BuiltinSelectionStrategies.SINGLE_BRIDGE;
  }

  /** jicofo's RegionBased: the participant's region, then its group, then anything, avoiding overload. */
  static BridgeSelectionStrategy regionBased() {
    return BuiltinSelectionStrategies.REGION_BASED;
  }

  /** jicofo's IntraRegion: several bridges per conference, all in the conference's region. */
  static BridgeSelectionStrategy intraRegion() {
    return BuiltinSelectionStrategies.INTRA_REGION;
  }
}
