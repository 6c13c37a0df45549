package io.bridgekeeper.benchmarks;

import io.bridgekeeper.scaling.Autoscaler;
import io.bridgekeeper.scaling.ScalingDecision;
import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import io.bridgekeeper.simulation.Conference;
import io.bridgekeeper.simulation.Scenario;
import io.bridgekeeper.simulation.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Policy quality on the reference traces ({@link Scenario#diurnal}, {@link Scenario#flashCrowd}),
 * which is deterministic per seed and so is counted, not timed: for each policy the mean and range
 * over five seeds of VM-hours as a multiple of the oracle's, overload-minutes, and participants
 * moved, with the simulator's defaults (1 h drain deadline, as Jitsi production) and the
 * autoscaler's (scale-out undrains draining bridges first; a young drain is swapped for a bridge
 * with at most half its participants) unless a row says otherwise. Besides the SDK's policies it
 * runs a <b>clairvoyant</b> one that reads the trace ahead
 * (the load of the next boot delay plus a reconcile period) and keeps {@code load / target}
 * bridges: no reactive policy can do better at the same target, so the lowest clairvoyant target
 * with no overload bounds what any policy can reach under jicofo's placement.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.bridgekeeper.benchmarks.PolicyQualityReport [PEAK...]}
 */
public final class PolicyQualityReport {
  private PolicyQualityReport() {}

  static final int SEEDS = 5;

  public static void main(String[] args) {
    double[] peaks = args.length > 0 ? java.util.Arrays.stream(args).mapToDouble(Double::parseDouble).toArray()
        : new double[] {600, 3000};
    Simulation.Options options = Simulation.Options.defaults();
    for (double peak : peaks) {
      for (boolean flash : new boolean[] {false, true}) {
        Scenario first = flash ? Scenario.flashCrowd(peak, 1) : Scenario.diurnal(peak, 1);
        System.out.printf(Locale.ROOT, "%n### %s, peak %.0f conferences/h (seeds 1-%d)%n%n", first.name(), peak, SEEDS);
        System.out.println("| policy | VM-hours (mean) | × oracle: mean [min, max] | overload-min: mean [min, max] "
            + "| moved: mean [min, max] | scale actions (mean) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        // Jitsi production ends a drain after 1 h (graceful-shutdown-max-duration); a longer deadline
        // trades VM-hours for fewer conferences cut short.
        Simulation.Options patient = options.withDrainDeadline(Duration.ofHours(3));
        // Octo: multi-bridge conferences, jicofo's region-based selection, 80 of a conference per bridge.
        Simulation.Options octo = options.withMultiBridge(80);
        Map<String, Row> rows = new LinkedHashMap<>();
        Function<List<Conference>, ScalingPolicy> jitsi = trace -> ScalingPolicy.threshold(
            ThresholdOptions.jitsiProductionJvb(2, 5_000).withEmptyPeriodsAreZero(true));
        Function<List<Conference>, ScalingPolicy> defaults = trace -> ScalingPolicy.bounded(
            ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), 2, 5_000);
        rows.put("jitsi-autoscaler 0.3/0.1 (production values)", new Row(options, jitsi));
        rows.put("target tracking, defaults (0.3)", new Row(options, defaults));
        // The autoscaler before it undrained or swapped drains: what each of the two adds.
        rows.put("target tracking, defaults, no undrain, no drain swaps", new Row(options, defaults,
            b -> b.undrainOnScaleOut(false).swapDrainsForLighterBridges(0, Duration.ofHours(1))));
        rows.put("target tracking, defaults, no drain swaps", new Row(options, defaults,
            b -> b.swapDrainsForLighterBridges(0, Duration.ofHours(1))));
        // Scale-in waits (at most 1 h per drain) for a bridge with at most half the mean participants.
        rows.put("target tracking, defaults, light drains (0.5 × mean, wait ≤ 1 h)", new Row(options, defaults,
            b -> b.drainOnlyLightBridges(0.5, Duration.ofHours(1))));
        rows.put("target tracking, defaults, 3 h drain deadline", new Row(patient, defaults));
        rows.put("target tracking 0.5", new Row(options, targetTracking(0.5, 0.1)));
        for (double target : new double[] {0.3, 0.35, 0.4, 0.5, 0.7}) {
          rows.put(String.format(Locale.ROOT, "clairvoyant %.2f", target), new Row(options,
              trace -> clairvoyant(trace, target, options, first.start().minus(options.warmUp()), first.end())));
        }
        rows.put("octo: jitsi-autoscaler 0.3/0.1", new Row(octo, jitsi));
        rows.put("octo: target tracking 0.5", new Row(octo, targetTracking(0.5, 0.1)));
        rows.put("octo: target tracking 0.6, ±3%", new Row(octo, targetTracking(0.6, 0.03)));
        rows.put("octo: target tracking 0.7, ±2%", new Row(octo, targetTracking(0.7, 0.02)));
        for (double target : new double[] {0.6, 0.7}) {
          rows.put(String.format(Locale.ROOT, "octo: clairvoyant %.2f", target), new Row(octo,
              trace -> clairvoyant(trace, target, options, first.start().minus(options.warmUp()), first.end())));
        }
        for (Map.Entry<String, Row> p : rows.entrySet()) {
          List<Simulation.Result> results = new ArrayList<>();
          for (long seed = 1; seed <= SEEDS; seed++) {
            Scenario s = flash ? Scenario.flashCrowd(peak, seed) : Scenario.diurnal(peak, seed);
            List<Conference> trace = s.conferences(options.warmUp());
            results.add(new Simulation(p.getValue().options(), p.getValue().autoscaler()).run(p.getKey(),
                p.getValue().policy().apply(trace), trace, s.start(), s.end()));
          }
          System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %.0f |%n", p.getKey(),
              mean(results, Simulation.Result::vmHours), range(results, r -> r.vmHours() / r.oracleVmHours(), "%.2f"),
              range(results, Simulation.Result::overloadMinutes, "%.1f"),
              range(results, r -> (double) r.participantsMoved(), "%.0f"),
              mean(results, r -> (double) r.scaleActions()));
        }
      }
    }
  }

  /**
   * A row of the report: the simulator's options, the policy (which may read the trace) and the
   * autoscaler's options.
   */
  record Row(Simulation.Options options, Function<List<Conference>, ScalingPolicy> policy,
      UnaryOperator<Autoscaler.Builder> autoscaler) {
    Row(Simulation.Options options, Function<List<Conference>, ScalingPolicy> policy) {
      this(options, policy, UnaryOperator.identity());
    }
  }

  static Function<List<Conference>, ScalingPolicy> targetTracking(double target, double tolerance) {
    return trace -> ScalingPolicy.bounded(ScalingPolicy.targetTracking(
        new TargetTrackingPolicy.Options(target, tolerance, Duration.ofMinutes(15), 50, 2)), 2, 5_000);
  }

  /** Keeps enough bridges for the highest load of the next boot delay + reconcile period at {@code target}. */
  static ScalingPolicy clairvoyant(List<Conference> trace, double target, Simulation.Options o, Instant from,
      Instant to) {
    long stepSeconds = o.step().toSeconds();
    int n = (int) (Duration.between(from, to).toSeconds() / stepSeconds) + 1;
    long[] delta = new long[n + 1];
    for (Conference c : trace) {
      long a = Math.max(0, Duration.between(from, c.start()).toSeconds() / stepSeconds);
      long b = Math.min(n, Duration.between(from, c.end()).toSeconds() / stepSeconds);
      if (a < n && b > a) {
        delta[(int) a] += c.participants();
        delta[(int) b] -= c.participants();
      }
    }
    long[] participants = new long[n];
    long running = 0;
    for (int i = 0; i < n; i++) {
      running += delta[i];
      participants[i] = running;
    }
    int ahead = (int) (o.bootDelay().plus(o.reconcileEvery()).toSeconds() / stepSeconds);
    return in -> {
      int i = (int) Math.max(0, Duration.between(from, in.now()).toSeconds() / stepSeconds);
      long most = 0;
      for (int j = i; j <= Math.min(n - 1, i + ahead); j++) {
        most = Math.max(most, participants[j]);
      }
      int want = Math.max(2, (int) Math.ceil(most * o.stressPerParticipant() / target));
      String why = "clairvoyant: " + most + " participants ahead";
      if (want > in.desired()) {
        return new ScalingDecision.ScaleOut(want - in.desired(), why);
      }
      return want < in.desired() ? new ScalingDecision.ScaleIn(in.desired() - want, why) : new ScalingDecision.Hold(why);
    };
  }

  static double mean(List<Simulation.Result> rs, java.util.function.ToDoubleFunction<Simulation.Result> f) {
    return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  static String range(List<Simulation.Result> rs, java.util.function.ToDoubleFunction<Simulation.Result> f, String fmt) {
    java.util.DoubleSummaryStatistics st = rs.stream().mapToDouble(f).summaryStatistics();
    return String.format(Locale.ROOT, fmt + " [" + fmt + ", " + fmt + "]", st.getAverage(), st.getMin(), st.getMax());
  }
}
