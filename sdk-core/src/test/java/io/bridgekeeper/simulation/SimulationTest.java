package io.bridgekeeper.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
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

  /**
   * The default run places conferences through a one-snapshot-per-step path; it must choose exactly
   * what jicofo's selector, asked once per conference, chooses — over whole runs with drains,
   * launches and deletions, for either policy.
   */
  @Property(tries = 8)
  void theFastPlacementChoosesWhatTheSelectorChooses(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
      @ForAll @DoubleRange(min = 120, max = 900) double peakPerHour, @ForAll boolean threshold, @ForAll boolean octo) {
    Instant start = Instant.parse("2026-01-05T06:00:00Z");
    Instant end = start.plus(Duration.ofHours(5));
    TrafficModel.Options traffic = new TrafficModel.Options(peakPerHour, 0.05, 9, 0.3, 2, 1.6, 100,
        Duration.ofMinutes(20), 0.8);
    List<Conference> trace = new TrafficModel(traffic, List.of(), seed).generate(start, end);
    java.util.function.Supplier<ScalingPolicy> policy = () -> threshold
        ? ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(2, 100).withEmptyPeriodsAreZero(true))
        : ScalingPolicy.bounded(ScalingPolicy.targetTracking(octo
            ? new TargetTrackingPolicy.Options(0.4, 0.1, Duration.ofMinutes(15), 50, 2)
            : TargetTrackingPolicy.Options.defaults()), 2, 100);
    // Octo: small per-bridge limits make conferences spread, so the spreading path is exercised.
    Simulation.Options options = octo ? Simulation.Options.defaults().withMultiBridge(20) : Simulation.Options.defaults();
    io.bridgekeeper.bridges.BridgeSelector.Builder selector = io.bridgekeeper.bridges.BridgeSelector.builder();
    selector = octo ? selector.multiBridge(true).maxBridgeParticipants(20)
        .strategy(io.bridgekeeper.bridges.BridgeSelectionStrategy.regionBased()) : selector.maxBridgeParticipants(-1);
    Simulation fast = new Simulation(options);
    Simulation exact = new Simulation(options, selector.build());
    Simulation.Result a = fast.run("p", policy.get(), trace, start, end);
    Simulation.Result b = exact.run("p", policy.get(), trace, start, end);
    assertEquals(b, a);
    assertEquals(exact.samples(), fast.samples());
    assertTrue(a.scaleActions() > 0, "the run scaled: " + a);
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
