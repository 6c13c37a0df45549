package io.bridgekeeper.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {
  static final Instant START = Instant.parse("2026-01-05T08:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(8));

  static List<Conference> trace() {
    TrafficModel.Options small = new TrafficModel.Options(120, 0.05, 14, 0.3, 2, 1.6, 100, Duration.ofMinutes(30), 0.6);
    return new TrafficModel(small, List.of(), 5).generate(START, END);
  }

  @Test
  void runsAreReproducibleAndMeasureSomethingReal() {
    List<Conference> trace = trace();
    ScalingPolicy threshold = ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(1, 50));
    Simulation.Result a = new Simulation(Simulation.Options.defaults()).run("jitsi", threshold, trace, START, END);
    Simulation.Result b = new Simulation(Simulation.Options.defaults()).run("jitsi",
        ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(1, 50)), trace, START, END);
    assertEquals(a, b, "same trace, options and seed: same result");
    assertTrue(a.vmHours() > 0 && a.oracleVmHours() > 0, a.toString());
    assertTrue(a.vmHours() >= a.oracleVmHours() * 0.5, "the oracle is a lower bound on useful capacity: " + a);
    assertTrue(a.peakBridges() >= 2, a.toString());
  }

  @Test
  void targetTrackingKeepsUpWithTheMorningRise() {
    List<Conference> trace = trace();
    Simulation sim = new Simulation(Simulation.Options.defaults());
    Simulation.Result tt = sim.run("target", ScalingPolicy.bounded(
        ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), 1, 50), trace, START, END);
    assertTrue(tt.participantsUnplaced() == 0, tt.toString());
    assertTrue(tt.scaleActions() > 0, tt.toString());
    assertTrue(!sim.samples().isEmpty());
  }
}
