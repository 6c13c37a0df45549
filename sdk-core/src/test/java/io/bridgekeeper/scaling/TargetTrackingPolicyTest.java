package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
}
