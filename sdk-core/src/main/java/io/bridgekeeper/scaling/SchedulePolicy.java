package io.bridgekeeper.scaling;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Floors by time of day and day of week, in a time zone: at least {@code bridges} from
 * {@code from} to {@code to} on {@code days} (a window past midnight wraps). Never scales in;
 * combine with another policy through {@link ScalingPolicy#maxOf}. Immutable.
 */
public final class SchedulePolicy implements ScalingPolicy {
  /** At least {@code bridges} on {@code days} between {@code from} (inclusive) and {@code to} (exclusive). */
  public record Floor(Set<DayOfWeek> days, LocalTime from, LocalTime to, int bridges) {
    public Floor {
      days = Set.copyOf(EnumSet.copyOf(Objects.requireNonNull(days, "days")));
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (bridges < 0) {
        throw new IllegalArgumentException("a floor of " + bridges + " bridges");
      }
      if (from.equals(to)) {
        throw new IllegalArgumentException("a floor window from " + from + " to itself is empty");
      }
    }

    boolean covers(ZonedDateTime t) {
      LocalTime time = t.toLocalTime();
      if (from.isBefore(to)) {
        return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
      }
      // Past midnight: the evening part belongs to the listed day, the morning part to the day after.
      return (days.contains(t.getDayOfWeek()) && !time.isBefore(from))
          || (days.contains(t.getDayOfWeek().minus(1)) && time.isBefore(to));
    }
  }

  private final ZoneId zone;
  private final List<Floor> floors;

  SchedulePolicy(ZoneId zone, List<Floor> floors) {
    this.zone = Objects.requireNonNull(zone, "zone");
    this.floors = List.copyOf(floors);
  }

  /** The floor in force at {@code in.now()}: the largest of the windows that cover it, else 0. */
  public int floorAt(java.time.Instant now) {
    ZonedDateTime t = now.atZone(zone);
    return floors.stream().filter(f -> f.covers(t)).mapToInt(Floor::bridges).max().orElse(0);
  }

  @Override
  public ScalingDecision decide(ScalingInput in) {
    int floor = floorAt(in.now());
    if (in.desired() < floor) {
      return new ScalingDecision.ScaleOut(floor - in.desired(), "scheduled floor of " + floor + " bridges at "
          + in.now().atZone(zone).toLocalDateTime() + " " + zone);
    }
    return new ScalingDecision.Hold("scheduled floor " + floor + " met");
  }

  @Override
  public String toString() {
    return "schedule(" + zone + ", " + floors + ")";
  }
}
