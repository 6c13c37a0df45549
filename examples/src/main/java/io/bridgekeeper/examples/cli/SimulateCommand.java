package io.bridgekeeper.examples.cli;

import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import io.bridgekeeper.simulation.Conference;
import io.bridgekeeper.simulation.Simulation;
import io.bridgekeeper.simulation.SimulationReport;
import io.bridgekeeper.simulation.TrafficModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code bridgekeeper simulate [--hours H] [--peak N] [--seed S] [--trace CSV] [--out DIR]}: runs
 * scaling policies side by side on the same conference trace (the diurnal model by default) with the
 * in-memory cloud, prints a table and writes {@code report.html} and {@code report.json}.
 */
final class SimulateCommand implements BridgekeeperCli.Command {
  static final Instant START = Instant.parse("2026-01-05T00:00:00Z"); // a Monday, 00:00 UTC

  @Override
  public String usage() {
    return "simulate [--hours 24] [--peak 300] [--seed 1] [--trace FILE.csv] [--out simulation]";
  }

  @Override
  public String summary() {
    return "run scaling policies side by side on a day of conferences; writes an HTML report (the main job)";
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    int hours = 24;
    double peak = 300;
    long seed = 1;
    Path trace = null;
    Path outDir = Path.of("simulation");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      try {
        switch (a) {
          case "--hours" -> hours = Integer.parseInt(BridgekeeperCli.optionValue(args, i + 1, a));
          case "--peak" -> peak = Double.parseDouble(BridgekeeperCli.optionValue(args, i + 1, a));
          case "--seed" -> seed = Long.parseLong(BridgekeeperCli.optionValue(args, i + 1, a));
          case "--trace" -> trace = Path.of(BridgekeeperCli.optionValue(args, i + 1, a));
          case "--out" -> outDir = Path.of(BridgekeeperCli.optionValue(args, i + 1, a));
          default -> throw new UsageException("unknown option " + a);
        }
      } catch (NumberFormatException e) {
        throw new UsageException(a + " needs a number");
      }
      i++;
    }
    if (hours < 1 || hours > 24 * 14 || !(peak > 0)) {
      throw new UsageException("--hours is 1 to 336, --peak positive");
    }
    Instant end = START.plus(Duration.ofHours(hours));
    List<Conference> conferences;
    String scenario;
    try {
      if (trace != null) {
        conferences = TrafficModel.readCsv(trace);
        scenario = "trace " + trace + ": " + conferences.size() + " conferences";
        if (!conferences.isEmpty()) {
          end = conferences.get(conferences.size() - 1).end();
        }
      } else {
        TrafficModel.Options o = TrafficModel.Options.diurnal();
        o = new TrafficModel.Options(peak, o.troughFraction(), o.peakHourUtc(), o.weekendFactor(), o.minParticipants(),
            o.paretoAlpha(), o.maxParticipants(), o.medianDuration(), o.durationSigma());
        conferences = new TrafficModel(o, List.of(), seed).generate(START, end);
        scenario = String.format(java.util.Locale.ROOT, "%d h of diurnal traffic from %s: peak %.0f conferences/h at "
            + "14:00 UTC, %d conferences, seed %d; 0.005 stress per participant, 0.8 overload threshold, 120 s boot",
            hours, START, peak, conferences.size(), seed);
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("bridgekeeper simulate: " + e.getMessage());
      return BridgekeeperCli.USAGE;
    }
    Map<String, Supplier<ScalingPolicy>> policies = new LinkedHashMap<>();
    // Jitsi's production JVB values with jitsi-autoscaler's exact semantics (empty periods read as 0).
    policies.put("jitsi-autoscaler 0.3/0.1", () -> ScalingPolicy.threshold(
        ThresholdOptions.jitsiProductionJvb(2, 500).withEmptyPeriodsAreZero(true)));
    policies.put("target tracking 0.5", () -> ScalingPolicy.bounded(
        ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), 2, 500));
    Simulation.Options options = Simulation.Options.defaults();
    List<SimulationReport.Run> runs = new ArrayList<>();
    for (Map.Entry<String, Supplier<ScalingPolicy>> p : policies.entrySet()) {
      Simulation sim = new Simulation(options);
      Simulation.Result r = sim.run(p.getKey(), p.getValue().get(), conferences, START, end);
      runs.add(new SimulationReport.Run(r, sim.samples()));
    }
    out.println(scenario);
    out.print(SimulationReport.text(runs));
    try {
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("report.html"), SimulationReport.html(scenario, runs, options.stressThreshold()));
      Files.writeString(outDir.resolve("report.json"), SimulationReport.json(scenario, runs));
    } catch (IOException e) {
      err.println("bridgekeeper simulate: cannot write the report to " + outDir + ": " + e.getMessage());
      return BridgekeeperCli.SOME_FAILED;
    }
    out.println("report: " + outDir.resolve("report.html").toAbsolutePath());
    return BridgekeeperCli.OK;
  }

}
