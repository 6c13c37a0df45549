package io.bridgekeeper.simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A named day of traffic to judge policies on: the reference traces of {@code benchmarks/README.md}
 * ({@link #diurnal}, {@link #flashCrowd}) and the CLI's {@code --scenario}. Immutable.
 *
 * @param name short name ({@code diurnal}, {@code flash-crowd})
 * @param description one line for reports
 * @param traffic the arrival model
 * @param start the first measured instant
 * @param end the end of the run
 */
public record Scenario(String name, String description, TrafficModel traffic, Instant start, Instant end) {
  /** Monday 5 January 2026, 00:00 UTC: a weekday from its night trough. */
  public static final Instant MONDAY = Instant.parse("2026-01-05T00:00:00Z");

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(traffic, "traffic");
    if (!Objects.requireNonNull(end, "end").isAfter(Objects.requireNonNull(start, "start"))) {
      throw new IllegalArgumentException("scenario " + name + " ends before it starts");
    }
  }

  /**
   * A weekday of business-hours traffic ({@link TrafficModel.Options#diurnal()} with
   * {@code peakPerHour} conference arrivals an hour at 14:00 UTC).
   */
  public static Scenario diurnal(double peakPerHour, long seed) {
    return new Scenario("diurnal", String.format(Locale.ROOT,
        "a weekday: %.0f conferences/h at 14:00 UTC, 5%% at night, seed %d", peakPerHour, seed),
        new TrafficModel(options(peakPerHour), List.of(), seed), MONDAY, MONDAY.plus(Duration.ofDays(1)));
  }

  /**
   * The same weekday with a flash crowd: from 10:00 UTC for 45 minutes, another
   * {@code peakPerHour} arrivals an hour on top of the curve (more than double the rate, at once) —
   * a company all-hands, a school starting remote lessons.
   */
  public static Scenario flashCrowd(double peakPerHour, long seed) {
    TrafficModel.FlashCrowd crowd = new TrafficModel.FlashCrowd(MONDAY.plus(Duration.ofHours(10)),
        Duration.ofMinutes(45), peakPerHour);
    return new Scenario("flash-crowd", String.format(Locale.ROOT,
        "a weekday (%.0f conferences/h at 14:00 UTC) with %.0f/h more from 10:00 for 45 min, seed %d",
        peakPerHour, peakPerHour, seed),
        new TrafficModel(options(peakPerHour), List.of(crowd), seed), MONDAY, MONDAY.plus(Duration.ofDays(1)));
  }

  private static TrafficModel.Options options(double peakPerHour) {
    return TrafficModel.Options.diurnal().withPeakPerHour(peakPerHour);
  }

  /** The conferences of the run, those of the {@code warmUp} before {@link #start()} included. */
  public List<Conference> conferences(Duration warmUp) {
    return traffic.generate(start.minus(warmUp), end);
  }
}
