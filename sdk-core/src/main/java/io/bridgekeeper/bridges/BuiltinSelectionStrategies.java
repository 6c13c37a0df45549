package io.bridgekeeper.bridges;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** jicofo's selection strategies and the helper searches they are built from (BridgeSelectionStrategy.kt). */
final class BuiltinSelectionStrategies {
  private BuiltinSelectionStrategies() {}

  /** A strategy whose {@code toString} is its factory's name. */
  private record Named(String name, BridgeSelectionStrategy strategy) implements BridgeSelectionStrategy {
    @Override
    public Optional<Bridge> select(List<Bridge> candidates, Map<String, Integer> conference,
        Optional<String> participantRegion, Context context) {
      return strategy.select(candidates, conference, participantRegion, context);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  // SingleBridgeSelectionStrategy.kt: a new conference gets the least loaded bridge in the
  // participant's region, else the least loaded; an existing one keeps its bridge (BridgeSelector).
  static final BridgeSelectionStrategy SINGLE_BRIDGE = new Named("singleBridge",
      (candidates, conference, participantRegion, context) ->
          first(candidates, b -> participantRegion.isPresent() && participantRegion.get().equals(b.region()))
              .or(() -> first(candidates, b -> true)));

  static final BridgeSelectionStrategy REGION_BASED = new Named("regionBased",
      BuiltinSelectionStrategies::regionBased);

  private static Optional<Bridge> regionBased(List<Bridge> candidates, Map<String, Integer> conference,
      Optional<String> participantRegion, BridgeSelectionStrategy.Context context) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    // RegionBasedBridgeSelectionStrategy.kt
    Optional<String> region = participantRegion.or(context::localRegion);
    if (context.localRegion().isPresent()) {
      Set<String> group = context.regionGroup(region);
      if (conference.isEmpty() && !region.equals(context.localRegion()) && group.contains(context.localRegion().get())) {
        region = context.localRegion();
      }
      Set<String> g = group;
      if (candidates.stream().noneMatch(b -> g.contains(b.region()))) {
        region = context.localRegion();
      }
    }
    Optional<String> r = region;
    Set<String> group = context.regionGroup(region);
    Predicate<Bridge> inRegion = b -> r.isPresent() && r.get().equals(b.region());
    Predicate<Bridge> inGroup = b -> group.contains(b.region());
    Predicate<Bridge> notLoaded = b -> !context.overloaded(b, conference);
    Predicate<Bridge> inConference = b -> conference.containsKey(b.id());
    return first(candidates, notLoaded.and(inConference).and(inRegion))
        .or(() -> first(candidates, notLoaded.and(inConference).and(inGroup)))
        .or(() -> first(candidates, notLoaded.and(inRegion)))
        .or(() -> first(candidates, notLoaded.and(inGroup)))
        .or(() -> first(candidates, inConference.and(inRegion)))
        .or(() -> first(candidates, inConference.and(inGroup)))
        .or(() -> first(candidates, inRegion))
        .or(() -> first(candidates, inGroup))
        .or(() -> first(candidates, notLoaded.and(inConference)))
        .or(() -> first(candidates, b -> true));
  }

  static final BridgeSelectionStrategy INTRA_REGION = new Named("intraRegion",
      BuiltinSelectionStrategies::intraRegion);

  private static Optional<Bridge> intraRegion(List<Bridge> candidates, Map<String, Integer> conference,
      Optional<String> participantRegion, BridgeSelectionStrategy.Context context) {
    // IntraRegionBridgeSelectionStrategy.kt
    Predicate<Bridge> notLoaded = b -> !context.overloaded(b, conference);
    if (conference.isEmpty()) {
      return first(candidates, notLoaded.and(b -> participantRegion.isPresent()
          && participantRegion.get().equals(b.region()))).or(() -> first(candidates, b -> true));
    }
    // The conference's region is its first bridge's (which need not be a candidate any more).
    Optional<String> conferenceRegion = context.bridge(conference.keySet().iterator().next()).map(Bridge::region);
    Predicate<Bridge> inRegion = b -> conferenceRegion.isPresent() && conferenceRegion.get().equals(b.region());
    Predicate<Bridge> inConference = b -> conference.containsKey(b.id());
    return first(candidates, notLoaded.and(inConference).and(inRegion))
        .or(() -> first(candidates, notLoaded.and(inRegion)))
        .or(() -> first(candidates, inConference.and(inRegion)));
  }

  private static Optional<Bridge> first(List<Bridge> candidates, Predicate<Bridge> p) {
    return candidates.stream().filter(p).findFirst();
  }
}
