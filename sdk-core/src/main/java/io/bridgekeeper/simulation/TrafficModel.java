package io.bridgekeeper.simulation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Conference traffic for the simulator: arrivals following a diurnal curve (a non-homogeneous
 * Poisson process, drawn by thinning), optional flash crowds, heavy-tailed sizes (a Pareto tail:
 * most meetings are small, a few are large) and log-normal durations. Deterministic for a seed.
 * Or a trace read from CSV ({@code start_epoch_seconds,participants,duration_seconds}).
 */
public final class TrafficModel {
  /**
   * A burst of extra arrivals: {@code rate} conferences per hour on top of the curve, from
   * {@code start} for {@code duration}.
   */
  public record FlashCrowd(Instant start, Duration duration, double ratePerHour) {
    public FlashCrowd {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(duration, "duration");
      if (!(ratePerHour > 0)) {
        throw new IllegalArgumentException("flash crowd rate must be positive");
      }
    }
  }

  /**
   * @param peakPerHour conference arrivals per hour at the daily peak
   * @param troughFraction arrivals at the daily trough as a fraction of the peak (0..1)
   * @param peakHourUtc hour of day (UTC) of the peak
   * @param weekendFactor arrivals on Saturday and Sunday relative to weekdays
   * @param minParticipants smallest conference
   * @param paretoAlpha tail index of the size distribution (smaller: heavier tail; 1.5 is typical)
   * @param maxParticipants largest conference (the tail is cut here)
   * @param medianDuration median conference length
   * @param durationSigma spread of the log-normal duration
   */
  public record Options(double peakPerHour, double troughFraction, int peakHourUtc, double weekendFactor,
      int minParticipants, double paretoAlpha, int maxParticipants, Duration medianDuration, double durationSigma) {
    public Options {
      if (!(peakPerHour > 0) || !(troughFraction >= 0 && troughFraction <= 1) || peakHourUtc < 0 || peakHourUtc > 23
          || !(weekendFactor >= 0) || minParticipants < 1 || !(paretoAlpha > 0) || maxParticipants < minParticipants
          || !(durationSigma >= 0)) {
        throw new IllegalArgumentException("invalid traffic options: " + this);
      }
      Objects.requireNonNull(medianDuration, "medianDuration");
    }

    /**
     * A business-hours curve: 600 conferences/h at 14:00 UTC, 5% at night, weekends at 30%; sizes
     * from 2 with a Pareto tail cut at 100 (a common per-room cap, and what one bridge carries
     * below jicofo's overload threshold at 0.005 stress per participant).
     */
    public static Options diurnal() {
      return new Options(600, 0.05, 14, 0.3, 2, 1.6, 100, Duration.ofMinutes(35), 0.8);
    }

    /** The same curve and sizes with {@code peakPerHour} arrivals an hour at the peak. */
    public Options withPeakPerHour(double peakPerHour) {
      return new Options(peakPerHour, troughFraction, peakHourUtc, weekendFactor, minParticipants, paretoAlpha,
          maxParticipants, medianDuration, durationSigma);
    }
  }

  private final Options o;
  private final List<FlashCrowd> crowds;
  private final long seed;

  public TrafficModel(Options options, List<FlashCrowd> crowds, long seed) {
    this.o = Objects.requireNonNull(options, "options");
    this.crowds = List.copyOf(crowds);
    this.seed = seed;
  }

  /** Arrivals per hour at {@code t} (curve plus any flash crowd). */
  public double rateAt(Instant t) {
    double hour = (t.getEpochSecond() % 86_400) / 3600.0;
    double phase = Math.cos(2 * Math.PI * (hour - o.peakHourUtc()) / 24.0); // 1 at the peak, -1 at the trough
    double rate = o.peakPerHour() * (o.troughFraction() + (1 - o.troughFraction()) * (phase + 1) / 2);
    // 1970-01-01 was a Thursday (index 3 from Monday); no ZonedDateTime per candidate arrival.
    java.time.DayOfWeek day = java.time.DayOfWeek.of((int) Math.floorMod(Math.floorDiv(t.getEpochSecond(), 86_400) + 3, 7) + 1);
    if (day == java.time.DayOfWeek.SATURDAY || day == java.time.DayOfWeek.SUNDAY) {
      rate *= o.weekendFactor();
    }
    for (FlashCrowd c : crowds) {
      if (!t.isBefore(c.start()) && t.isBefore(c.start().plus(c.duration()))) {
        rate += c.ratePerHour();
      }
    }
    return rate;
  }

  /** Every conference that starts in [{@code from}, {@code to}), in start order. */
  public List<Conference> generate(Instant from, Instant to) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double maxRate = o.peakPerHour() + crowds.stream().mapToDouble(FlashCrowd::ratePerHour).sum();
    List<Conference> out = new ArrayList<>();
    double t = from.getEpochSecond() + from.getNano() / 1e9;
    double end = to.getEpochSecond() + to.getNano() / 1e9;
    long n = 0;
    while (true) {
      // Thinning (Lewis-Shedler): candidates at the maximum rate, kept with probability rate/max.
      t += -Math.log(1 - rnd.nextDouble()) * 3600.0 / maxRate;
      if (t >= end) {
        return out;
      }
      Instant at = Instant.ofEpochSecond((long) t, (long) ((t - Math.floor(t)) * 1e9));
      if (rnd.nextDouble() * maxRate > rateAt(at)) {
        continue;
      }
      double u = 1 - rnd.nextDouble();
      int size = (int) Math.min(o.maxParticipants(), Math.floor(o.minParticipants() / Math.pow(u, 1 / o.paretoAlpha())));
      double minutes = o.medianDuration().toSeconds() / 60.0 * Math.exp(o.durationSigma() * gaussian(rnd));
      long seconds = Math.max(60, Math.round(minutes * 60));
      out.add(new Conference("c" + (++n), at, size, Duration.ofSeconds(seconds)));
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = 1 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Reads a trace: one conference per line, {@code start_epoch_seconds,participants,duration_seconds};
   * a header line and lines starting with {@code #} are skipped.
   *
   * @throws IllegalArgumentException naming the line that cannot be read
   */
  public static List<Conference> readCsv(Path file) throws IOException {
    List<Conference> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file)) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || (lineNo == 1 && !Character.isDigit(l.charAt(0)))) {
        continue;
      }
      String[] f = l.split(",");
      try {
        if (f.length != 3) {
          throw new IllegalArgumentException("expected 3 fields, found " + f.length);
        }
        out.add(new Conference("c" + lineNo, Instant.ofEpochSecond(Long.parseLong(f[0].strip())),
            Integer.parseInt(f[1].strip()), Duration.ofSeconds(Long.parseLong(f[2].strip()))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    out.sort(java.util.Comparator.comparing(Conference::start));
    return out;
  }
}
