package io.bridgekeeper.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.PoolSnapshot;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ComposedPoliciesTest {
  static ScalingInput input(Instant now, int desired, Optional<Instant> lastChange) {
    return new ScalingInput(new PoolSnapshot(now, List.of()), now, desired, desired, lastChange);
  }

  static ScalingPolicy fixed(int target) {
    return in -> ComposedPolicies.toward(in.desired(), target, "wants " + target);
  }

  @Test
  void scheduleFloorsFollowTheLocalClockAndWrapPastMidnight() {
    ScalingPolicy weekdays = ScalingPolicy.schedule(ZoneId.of("Europe/Berlin"), List.of(
        new SchedulePolicy.Floor(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
            LocalTime.of(18, 0), 10),
        new SchedulePolicy.Floor(Set.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(2, 0), 4)));
    // Monday 2026-01-05 08:30 in Berlin is 07:30 UTC.
    assertEquals(new ScalingDecision.ScaleOut(7, "x").by(),
        ((ScalingDecision.ScaleOut) weekdays.decide(input(Instant.parse("2026-01-05T07:30:00Z"), 3, Optional.empty()))).by());
    assertInstanceOf(ScalingDecision.Hold.class, weekdays.decide(input(Instant.parse("2026-01-05T06:30:00Z"), 3,
        Optional.empty())), "07:30 local: before the window");
    // Saturday 01:00 local belongs to Friday's 22:00-02:00 window.
    assertEquals(1, ((ScalingDecision.ScaleOut) weekdays.decide(input(Instant.parse("2026-01-10T00:00:00Z"), 3,
        Optional.empty()))).by());
    assertInstanceOf(ScalingDecision.Hold.class, weekdays.decide(input(Instant.parse("2026-01-10T00:00:00Z"), 12,
        Optional.empty())), "a floor never scales in");
  }

  @Test
  void cooldownHoldsChangesButPassesHolds() {
    Instant now = Instant.parse("2026-01-01T00:10:00Z");
    ScalingPolicy p = ScalingPolicy.cooldown(fixed(5), Duration.ofMinutes(5));
    assertTrue(p.decide(input(now, 3, Optional.of(now.minusSeconds(60)))).reason().startsWith("cooling down"));
    assertEquals(2, ((ScalingDecision.ScaleOut) p.decide(input(now, 3, Optional.of(now.minusSeconds(301))))).by());
  }

  @Test
  void aCooldownBeyondADayIsRefusedNamingIt() {
    // Was accepted, then every decision after a change threw (lastChange + cooldown overflows Instant).
    for (Duration d : List.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(1).plusSeconds(1),
        Duration.ofSeconds(-1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScalingPolicy.cooldown(fixed(5), d));
      assertTrue(e.getMessage().contains("cooldown"), e.getMessage());
    }
    assertEquals("cooldown", assertThrows(NullPointerException.class, () -> ScalingPolicy.cooldown(fixed(5), null))
        .getMessage());
    Instant now = Instant.parse("2026-01-01T00:10:00Z");
    ScalingPolicy day = ScalingPolicy.cooldown(fixed(5), Duration.ofDays(1));
    assertTrue(day.decide(input(now, 3, Optional.of(now.minusSeconds(60)))).reason().startsWith("cooling down"));
  }

  @Property(tries = 300)
  void maxOfTakesTheLargestAndBoundsClamp(@ForAll @IntRange(min = 0, max = 50) int desired,
      @ForAll @IntRange(min = 0, max = 60) int a, @ForAll @IntRange(min = 0, max = 60) int b,
      @ForAll @IntRange(min = 0, max = 20) int min, @ForAll @IntRange(min = 0, max = 40) int span) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    ScalingPolicy p = ScalingPolicy.bounded(ScalingPolicy.maxOf(fixed(a), fixed(b)), min, min + span);
    int result = p.decide(input(now, desired, Optional.empty())).apply(desired);
    assertEquals(Math.max(min, Math.min(min + span, Math.max(a, b))), result);
  }
}
