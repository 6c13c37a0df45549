package io.bridgekeeper.benchmarks;

import io.bridgekeeper.scaling.ScalingPolicy;
import io.bridgekeeper.scaling.TargetTrackingPolicy;
import io.bridgekeeper.scaling.ThresholdOptions;
import io.bridgekeeper.simulation.Conference;
import io.bridgekeeper.simulation.Scenario;
import io.bridgekeeper.simulation.Simulation;
import io.bridgekeeper.simulation.TrafficModel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One simulated week at 10 s steps with a fleet that peaks near 1,000 bridges: the real pool,
 * placement, autoscaler and in-memory cloud, 60,480 steps and about a million conferences
 * (16,800 arrivals an hour at the weekday peak). The trace is generated once per fork, outside
 * the measured run. Single-shot: one run is one week.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error"})
public class SimulationBenchmark {
  @Param({"target-tracking", "jitsi-autoscaler"})
  String policy;

  static final Instant START = Scenario.MONDAY;
  static final Instant END = START.plus(Duration.ofDays(7));

  List<Conference> week;
  Simulation.Result last;

  @Setup(Level.Trial)
  public void generate() {
    TrafficModel.Options busy = TrafficModel.Options.diurnal().withPeakPerHour(16_800);
    week = new TrafficModel(busy, List.of(), 1).generate(START.minus(Simulation.Options.defaults().warmUp()), END);
  }

  ScalingPolicy policy() {
    return policy.equals("jitsi-autoscaler")
        ? ScalingPolicy.threshold(ThresholdOptions.jitsiProductionJvb(2, 5_000).withEmptyPeriodsAreZero(true))
        : ScalingPolicy.bounded(ScalingPolicy.targetTracking(TargetTrackingPolicy.Options.defaults()), 2, 5_000);
  }

  @Benchmark
  public Simulation.Result week() {
    last = new Simulation(Simulation.Options.defaults()).run(policy, policy(), week, START, END);
    return last;
  }

  @TearDown(Level.Trial)
  public void report() {
    // What the measured week was: its scale is part of the claim.
    System.out.printf("%n%d conferences; %s%n", week.size(), last);
  }
}
