package io.bridgekeeper.scaling;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.BridgeStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * jitsi-autoscaler's decision, step for step ({@code jitsi/jitsi-autoscaler:src/autoscaler.ts
 * processAutoscalingByGroup / updateDesiredCountIfNeeded / evalScaleConditionForAllPeriods} and
 * {@code src/instance_tracker.ts getMetricInventoryPerPeriod / computeSummaryMetric}):
 *
 * <ol>
 *   <li>samples: one per stats report (a new {@link Bridge#statsAt()}) with a known stress, except
 *       from bridges starting, shutting down or drained (the sidecar records none for those);
 *   <li>no decision within the grace period after a change, with no bridges, or while the desired
 *       count differs from the actual one;
 *   <li>samples bucketed by {@code scalePeriod} (bucket 0 the newest), gaps filled from the next
 *       older bucket when the bridge reported in the buckets on both sides;
 *   <li>per bucket: the mean per bridge, then the average across bridges;
 *   <li>scale up by {@code scaleUpQuantity} (capped at the max) when every one of the last
 *       {@code scaleUpPeriodsCount} buckets has {@code (count < max && value ≥ up) || count < min};
 *       else scale down likewise with {@code count > min && value < down}.
 * </ol>
 *
 * <p>One deliberate difference, off by default and switchable
 * ({@link ThresholdOptions#emptyPeriodsAreZero()}): a bucket without samples is unknown, not a
 * stress of 0, so missing data never scales in. Thread-safe (decisions are serialised).
 */
final class ThresholdPolicy implements ScalingPolicy {
  private record Sample(String bridge, Instant at, double value) {}

  private final ThresholdOptions o;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final Map<String, Instant> lastSampled = new HashMap<>();

  ThresholdPolicy(ThresholdOptions options) {
    this.o = options;
  }

  @Override
  public synchronized ScalingDecision decide(ScalingInput in) {
    record(in);
    if (in.lastChange().isPresent() && in.now().isBefore(in.lastChange().get().plus(o.gracePeriod()))) {
      return new ScalingDecision.Hold("grace period after the last change, until " + in.lastChange().get().plus(o.gracePeriod()));
    }
    int count = in.actual();
    if (count == 0) {
      return new ScalingDecision.Hold("no bridges to measure");
    }
    if (in.desired() != count) {
      return new ScalingDecision.Hold("waiting for the group to converge: desired " + in.desired() + ", actual " + count);
    }
    List<OptionalDouble> periods = summaries(in.now());
    List<OptionalDouble> up = periods.subList(0, o.scaleUpPeriodsCount());
    if (up.stream().allMatch(v -> (count < o.maxDesired() && v.isPresent() && v.getAsDouble() >= o.scaleUpThreshold())
        || count < o.minDesired())) {
      // Capped before adding: desired + scaleUpQuantity overflows near Integer.MAX_VALUE.
      int by = Math.min(o.scaleUpQuantity(), o.maxDesired() - in.desired());
      return new ScalingDecision.ScaleOut(by, "average stress " + show(up) + " ≥ "
          + o.scaleUpThreshold() + " in each of the last " + o.scaleUpPeriodsCount() + " periods");
    }
    List<OptionalDouble> down = periods.subList(0, o.scaleDownPeriodsCount());
    if (down.stream().allMatch(v -> count > o.minDesired() && v.isPresent() && v.getAsDouble() < o.scaleDownThreshold())) {
      int desired = Math.max(in.desired() - o.scaleDownQuantity(), o.minDesired());
      return new ScalingDecision.ScaleIn(in.desired() - desired, "average stress " + show(down) + " < "
          + o.scaleDownThreshold() + " in each of the last " + o.scaleDownPeriodsCount() + " periods");
    }
    boolean unknown = periods.stream().anyMatch(OptionalDouble::isEmpty);
    return new ScalingDecision.Hold("average stress " + show(periods) + (unknown ? " (– = no data: unknown, not idle)" : ""));
  }

  private void record(ScalingInput in) {
    for (Bridge b : in.pool().bridges()) {
      // jitsi-autoscaler stores no metric for an instance it is shutting down (src/handlers.ts
      // sidecarStatus → src/instance_tracker.ts track(..., shutdownStatus)); here scale-in drains,
      // and a drained bridge is not in 'actual' either: its falling stress would pull the
      // average of the bridges that serve toward a scale-in. Only a reported drain=true, as the
      // autoscaler adopts drains: a bridge that does not report the flag still serves.
      if (b.state() == BridgeState.STARTING || b.state() == BridgeState.LOST || b.gracefulShutdown() || b.shuttingDown()
          || b.stats().flatMap(BridgeStats::drain).orElse(false)) {
        continue;
      }
      OptionalDouble stress = b.stats().map(s -> s.stressLevel()).orElse(OptionalDouble.empty());
      // One sample per stats report, as jitsi-autoscaler stores one per sidecar report with a
      // stress: a presence whose stats could not be believed keeps the old stats, not fresh ones.
      Instant at = b.statsAt().orElse(null);
      if (at == null || stress.isEmpty() || at.equals(lastSampled.get(b.id()))) {
        continue;
      }
      lastSampled.put(b.id(), at);
      samples.addLast(new Sample(b.id(), at, stress.getAsDouble()));
    }
    // Keep what the kept periods can still use (jitsi-autoscaler prunes by a metric TTL).
    Instant oldest = in.now().minus(o.scalePeriod().multipliedBy(o.periodsKept()));
    samples.removeIf(s -> s.at().isBefore(oldest));
    // A bridge keeps its entry while its latest sample is kept (the same as "has a sample left").
    lastSampled.values().removeIf(at -> at.isBefore(oldest));
  }

  /** Per period (0 = newest): the average over bridges of each bridge's mean, after gap filling. */
  private List<OptionalDouble> summaries(Instant now) {
    int n = o.periodsKept();
    List<List<Sample>> points = new ArrayList<>();
    List<Set<String>> present = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      points.add(new ArrayList<>());
      present.add(new LinkedHashSet<>());
    }
    Set<String> bridges = new LinkedHashSet<>();
    long periodMillis = o.scalePeriod().toMillis();
    for (Sample s : samples) {
      long idx = Math.floorDiv(Duration.between(s.at(), now).toMillis(), periodMillis);
      if (idx >= 0 && idx < n) {
        points.get((int) idx).add(s);
        present.get((int) idx).add(s.bridge());
        bridges.add(s.bridge());
      }
    }
    // Fill a bridge's missing period from the next older one when it reported on both sides
    // (or in the newest period, when the next older one has it); presence is the original one.
    for (int i = n - 2; i >= 0; i--) {
      // Each bridge's latest sample of the older period, found once (not per bridge: 1,000 bridges).
      Map<String, Sample> latestOlder = new HashMap<>();
      for (Sample s : points.get(i + 1)) {
        latestOlder.merge(s.bridge(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
      }
      for (String bridge : bridges) {
        if (present.get(i).contains(bridge) || !present.get(i + 1).contains(bridge)
            || !(i == 0 || present.get(i - 1).contains(bridge))) {
          continue;
        }
        Sample latest = latestOlder.get(bridge);
        if (latest != null) {
          points.get(i).add(latest);
        }
      }
    }
    List<OptionalDouble> result = new ArrayList<>();
    for (List<Sample> period : points) {
      Map<String, double[]> perBridge = new LinkedHashMap<>();
      for (Sample s : period) {
        double[] acc = perBridge.computeIfAbsent(s.bridge(), k -> new double[2]);
        acc[0] += s.value();
        acc[1]++;
      }
      if (perBridge.isEmpty()) {
        result.add(o.emptyPeriodsAreZero() ? OptionalDouble.of(0) : OptionalDouble.empty());
      } else {
        result.add(OptionalDouble.of(perBridge.values().stream().mapToDouble(a -> a[0] / a[1]).sum() / perBridge.size()));
      }
    }
    return result;
  }

  private static String show(List<OptionalDouble> values) {
    return values.stream().map(v -> v.isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", v.getAsDouble()) : "–")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  @Override
  public String toString() {
    return "threshold(" + o + ")";
  }
}
