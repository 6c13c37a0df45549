package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TargetTrackingPolicyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  // Round numbers for the arithmetic below (the defaults are tuned for the simulator's traces).
  final ScalingPolicy policy = ScalingPolicy.targetTracking(
      new TargetTrackingPolicy.Options(0.5, 0.1, Duration.ofMinutes(5), 4, 1));

  static ScalingInput input(Instant now, int desired, double... stress) {
    List<Bridge> bridges = new ArrayList<>();
    for (int i = 0; i < stress.length; i++) {
      OptionalDouble s = Double.isNaN(stress[i]) ? OptionalDouble.empty() : OptionalDouble.of(stress[i]);
      bridges.add(new Bridge("jvb" + i, BridgeState.HEALTHY, Optional.empty(), s, 0, now, Set.of("b"), false, false));
    }
    return new ScalingInput(new PoolSnapshot(now, bridges), now, desired, desired, Optional.empty());
  }

  @Test
  void scalesOutAtOnceWithinTheStepLimit() {
    // Load 4 × 0.9 = 3.6 at target 0.5 needs 8 bridges: +4 now (the step limit).
    assertEquals(4, ((ScalingDecision.ScaleOut) policy.decide(input(T0, 4, 0.9, 0.9, 0.9, 0.9))).by());
    // Load 2.2 with 4 bridges: needs 5.
    assertEquals(1, ((ScalingDecision.ScaleOut) policy.decide(input(T0, 4, 0.6, 0.6, 0.5, 0.5))).by());
  }

  @Test
  void holdsInsideTheToleranceBand() {
    // 4 bridges at 0.52 on average: 4% above target.
    assertTrue(policy.decide(input(T0, 4, 0.5, 0.54, 0.52, 0.52)).reason().contains("tolerance"));
  }

  @Test
  void scalesInOnlyAfterTheStabilisationWindowAndOneAtATime() {
    assertInstanceOf(ScalingDecision.ScaleOut.class, policy.decide(input(T0, 4, 0.9, 0.9, 0.9, 0.9)));
    // The load drops to 1.0 (needs 2) right after: the recent recommendation of 8 holds it.
    Instant later = T0.plusSeconds(60);
    ScalingDecision d = policy.decide(input(later, 8, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1));
    assertInstanceOf(ScalingDecision.Hold.class, d, d.reason());
    Instant afterWindow = T0.plus(Duration.ofMinutes(5)).plusSeconds(1);
    ScalingDecision in = policy.decide(input(afterWindow, 8, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1));
    assertEquals(1, ((ScalingDecision.ScaleIn) in).by(), in.reason());
  }

  @Test
  void unknownLoadNeverScalesIn() {
    ScalingDecision d = policy.decide(input(T0.plus(Duration.ofHours(1)), 6, 0.05, Double.NaN, 0.05));
    assertInstanceOf(ScalingDecision.Hold.class, d);
    assertTrue(d.reason().contains("unknown"), d.reason());
    // …but a known overload still scales out.
    assertInstanceOf(ScalingDecision.ScaleOut.class, policy.decide(input(T0, 2, 0.9, Double.NaN, 0.9)));
  }

  /** Reports refused as unbelievable keep a bridge alive with its last good stats: not today's load. */
  @Test
  void staleStatsMakeTheLoadUnknown() {
    Instant now = T0.plus(Duration.ofHours(1));
    io.bridgekeeper.bridges.BridgeStats stats = io.bridgekeeper.bridges.BridgeStats.parse(
        java.util.Map.of("stress_level", "0.05", "drain", "false"));
    List<Bridge> bridges = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Instant statsAt = i == 0 ? now.minus(TargetTrackingPolicy.STALE_STATS).minusSeconds(1) : now.minusSeconds(5);
      bridges.add(new Bridge("jvb" + i, BridgeState.HEALTHY, Optional.of(stats), OptionalDouble.of(0.05), 0, now,
          Optional.of(statsAt), Set.of("b"), false, false));
    }
    ScalingDecision d = policy.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, 4, 4, Optional.empty()));
    assertInstanceOf(ScalingDecision.Hold.class, d, d.reason());
    assertTrue(d.reason().contains("unknown"), d.reason());
    // The same pool with fresh stats everywhere scales in.
    bridges.set(0, new Bridge("jvb0", BridgeState.HEALTHY, Optional.of(stats), OptionalDouble.of(0.05), 0, now,
        Optional.of(now.minusSeconds(5)), Set.of("b"), false, false));
    ScalingPolicy fresh = ScalingPolicy.targetTracking(new TargetTrackingPolicy.Options(0.5, 0.1, Duration.ZERO, 4, 1));
    assertInstanceOf(ScalingDecision.ScaleIn.class,
        fresh.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, 4, 4, Optional.empty())));
  }

  @Test
  void lostBridgesMakeTheLoadUnknown() {
    // The brewery went silent: the bridges still serve their conferences, the SDK just cannot see
    // them. Missing metrics are unknown, never zero load.
    Instant now = T0.plus(Duration.ofHours(1));
    List<Bridge> bridges = new ArrayList<>();
    bridges.add(new Bridge("jvb0", BridgeState.HEALTHY, Optional.empty(), OptionalDouble.of(0.05), 0, now, Set.of("b"),
        false, false));
    for (String id : List.of("jvb1", "jvb2", "jvb3")) {
      bridges.add(new Bridge(id, BridgeState.LOST, Optional.empty(), OptionalDouble.of(0.3), 0,
          now.minus(Duration.ofMinutes(5)), Set.of("b"), false, false));
    }
    ScalingDecision d = policy.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, 4, 4, Optional.empty()));
    assertInstanceOf(ScalingDecision.Hold.class, d, d.reason());
    assertTrue(d.reason().contains("unknown"), d.reason());
  }

  @Test
  void anEmptyPoolIsUnknownLoadWhileTheGroupHasInstances() {
    // Lost bridges are forgotten after a while (forgetLostAfter): an empty pool beside 4 instances
    // is a brewery the SDK cannot hear, not 4 idle bridges.
    ScalingDecision d = policy.decide(new ScalingInput(new PoolSnapshot(T0, List.of()), T0, 4, 4, Optional.empty()));
    assertInstanceOf(ScalingDecision.Hold.class, d, d.reason());
    assertTrue(d.reason().contains("unknown"), d.reason());
    // A group with no instance is known to carry nothing: it still gets its first bridge.
    ScalingDecision first = policy.decide(new ScalingInput(new PoolSnapshot(T0, List.of()), T0, 0, 0, Optional.empty()));
    assertEquals(1, ((ScalingDecision.ScaleOut) first).by(), first.reason());
  }

  @Test
  void aStabilisationWindowBeyondADayIsRefusedNamingTheField() {
    // Was accepted, then every decision threw (now − window overflows Instant).
    for (Duration window : List.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(1).plusSeconds(1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new TargetTrackingPolicy.Options(0.3, 0.1, window, 5, 1));
      assertTrue(e.getMessage().contains("scaleInStabilization"), e.getMessage());
    }
    ScalingPolicy day = ScalingPolicy.targetTracking(new TargetTrackingPolicy.Options(0.3, 0.1, Duration.ofDays(1), 5, 1));
    assertInstanceOf(ScalingDecision.Hold.class, day.decide(input(Instant.MIN.plus(Duration.ofDays(2)), 3, 0.3, 0.3, 0.3)));
  }

  /** Whatever the known load, a bridge the policy cannot see (LOST) never lets it scale in. */
  @Property(tries = 300)
  void neverScalesInWhileABridgeIsLost(@ForAll @Size(min = 0, max = 8) List<@DoubleRange(min = 0, max = 1.5) Double> known,
      @ForAll @IntRange(min = 1, max = 4) int lost, @ForAll @IntRange(min = 0, max = 30) int desired,
      @ForAll @IntRange(min = 0, max = 20) int minutes) {
    ScalingPolicy p = ScalingPolicy.targetTracking(new TargetTrackingPolicy.Options(0.3, 0.1, Duration.ZERO, 50, 50));
    Instant now = T0.plus(Duration.ofMinutes(minutes));
    List<Bridge> bridges = new ArrayList<>();
    for (int i = 0; i < known.size(); i++) {
      bridges.add(new Bridge("jvb" + i, BridgeState.HEALTHY, Optional.empty(), OptionalDouble.of(known.get(i)), 0, now,
          Set.of("b"), false, false));
    }
    for (int i = 0; i < lost; i++) {
      bridges.add(new Bridge("lost" + i, BridgeState.LOST, Optional.empty(), OptionalDouble.of(0.3), 0,
          now.minus(Duration.ofMinutes(1)), Set.of("b"), false, false));
    }
    ScalingDecision d = p.decide(new ScalingInput(new PoolSnapshot(now, bridges), now, desired, desired, Optional.empty()));
    assertFalse(d instanceof ScalingDecision.ScaleIn, d.toString());
  }
}
