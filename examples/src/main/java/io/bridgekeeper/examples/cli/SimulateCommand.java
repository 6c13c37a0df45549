package io.bridgekeeper.examples.cli;

import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import io.bridgekeeper.simulation.Conference;
import io.bridgekeeper.simulation.Scenario;
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
 * {@code bridgekeeper simulate [--scenario diurnal|flash-crowd] [--peak N] [--seed S] [--hours H]
 * [--trace CSV] [--out DIR]}: runs scaling policies side by side on the same conference trace (the
 * reference diurnal weekday by default, {@link Scenario}) with the in-memory cloud, prints a table
 * and writes {@code report.html} and {@code report.json}.
 */
final class SimulateCommand implements BridgekeeperCli.Command {

  @Override
  public String usage() {
    return "simulate [--scenario diurnal|flash-crowd] [--peak 600] [--seed 1] [--hours 24] [--trace FILE.csv] "
        + "[--out simulation]";
  }

  @Override
  public String summary() {
    return "run scaling policies side by side on a day of conferences; writes an HTML report (the main job)";
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    Integer hours = null;
    String scenarioName = "diurnal";
    double peak = 600;
    long seed = 1;
    Path trace = null;
    Path outDir = Path.of("simulation");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      try {
        switch (a) {
          case "--hours" -> hours = Integer.parseInt(BridgekeeperCli.optionValue(args, i + 1, a));
          case "--scenario" -> scenarioName = BridgekeeperCli.optionValue(args, i + 1, a);
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
    if ((hours != null && (hours < 1 || hours > 24 * 14)) || !(peak > 0)) {
      throw new UsageException("--hours is 1 to 336, --peak positive");
    }
    Scenario chosen = switch (scenarioName) {
      case "diurnal" -> Scenario.diurnal(peak, seed);
      case "flash-crowd" -> Scenario.flashCrowd(peak, seed);
      default -> throw new UsageException("--scenario is diurnal or flash-crowd, not " + scenarioName);
    };
    if (hours != null) {
      chosen = new Scenario(chosen.name(), chosen.description(), chosen.traffic(), chosen.start(),
          chosen.start().plus(Duration.ofHours(hours)));
    }
    Instant start = chosen.start();
    Instant end = chosen.end();
    Simulation.Options options = Simulation.Options.defaults();
    List<Conference> conferences;
    String scenario;
    try {
      if (trace != null) {
        conferences = TrafficModel.readCsv(trace);
        scenario = "trace " + trace + ": " + conferences.size() + " conferences";
        options = options.withWarmUp(Duration.ZERO); // a trace is measured from its first conference
        if (!conferences.isEmpty()) {
          start = conferences.get(0).start();
          end = conferences.stream().map(Conference::end).max(Instant::compareTo).orElseThrow();
        }
      } else {
        // The warm-up's conferences too: the fleet is judged once it has caught up with the load.
        conferences = chosen.conferences(options.warmUp());
        scenario = String.format(java.util.Locale.ROOT, "%s, %d h from %s: %d conferences; 0.005 stress per "
            + "participant, 0.8 overload threshold, 120 s boot, %s warm-up", chosen.description(),
            Duration.between(start, end).toHours(), start, conferences.size(), options.warmUp());
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("bridgekeeper simulate: " + e.getMessage());
      return BridgekeeperCli.USAGE;
    }
    Map<String, Supplier<ScalingPolicy>> policies = new LinkedHashMap<>();
    // Jitsi's production JVB values with jitsi-autoscaler's exact semantics (empty periods read as 0).
    policies.put("jitsi-autoscaler 0.3/0.1", () -> ScalingPolicy.threshold(
        ThresholdOptions.jitsiProductionJvb(2, 500).withEmptyPeriodsAreZero(true)));
    policies.put("target tracking 0.3", () -> ScalingPolicy.bounded(
        ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), 2, 500));
    List<SimulationReport.Run> runs = new ArrayList<>();
    for (Map.Entry<String, Supplier<ScalingPolicy>> p : policies.entrySet()) {
      Simulation sim = new Simulation(options);
      Simulation.Result r = sim.run(p.getKey(), p.getValue().get(), conferences, start, end);
      runs.add(new SimulationReport.Run(r, sim.samples()));
    }
    out.println(scenario);
    out.print(SimulationReport.text(runs));
    try {
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("report.html"), SimulationReport.html(scenario, runs, options.stressThreshold()));
      Files.writeString(outDir.resolve("report.json"), SimulationReport.json(scenario, runs));
    } catch (IOException e) {
      err.println("bridgekeeper simulate: cannot write the report to " + outDir + ": " + BridgekeeperCli.describe(e));
      return BridgekeeperCli.SOME_FAILED;
    }
    out.println("report: " + outDir.resolve("report.html").toAbsolutePath());
    return BridgekeeperCli.OK;
  }

}
