package io.bridgekeeper.benchmarks;

import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeStats;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-presence cost of the bridge health model: parsing a full stats report (the ~90 stats a
 * bridge publishes without the stats filter, or the 12 of Jitsi's production filter) and applying
 * a presence to a pool of N bridges. Baseline: copying the same map, which any ingest does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BridgePresenceBenchmark {
  @Param({"full", "filtered"})
  String report;

  @Param({"100", "1000"})
  int bridges;

  Map<String, String> stats;
  BridgeStats parsed;
  BridgePool pool;
  String[] ids;
  int next;

  @Setup
  public void setUp() {
    stats = new LinkedHashMap<>();
    stats.put("stress_level", "0.23");
    stats.put("average_participant_stress", "0.005");
    stats.put("drain", "false");
    stats.put("graceful_shutdown", "false");
    stats.put("shutting_down", "false");
    stats.put("healthy", "true");
    stats.put("region", "eu-central-1");
    stats.put("relay_id", "10.0.1.5");
    stats.put("release", "4711");
    stats.put("version", "2.3.63-g2a4cc2f8");
    stats.put("current_timestamp", "2026-03-03 18:30:14.965");
    stats.put("colibri2", "true");
    if (report.equals("full")) {
      String[] counters = {"incoming_loss", "outgoing_loss", "overall_loss", "bit_rate_download", "bit_rate_upload",
          "packet_rate_download", "packet_rate_upload", "rtt_aggregate", "conferences", "endpoints", "participants",
          "largest_conference", "total_participants", "total_conferences_created", "threads", "local_endpoints"};
      for (int i = 0; stats.size() < 90; i++) {
        stats.put(i < counters.length ? counters[i] : "stat_" + i, Integer.toString(1000 + i));
      }
    }
    parsed = BridgeStats.parse(stats);
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    ids = new String[bridges];
    for (int i = 0; i < bridges; i++) {
      ids[i] = "jvb-" + i;
      pool.presence("brewery", ids[i], Optional.of(parsed));
    }
  }

  @Benchmark
  public BridgeStats parseStats() {
    return BridgeStats.parse(stats);
  }

  @Benchmark
  public Object baselineCopyStats() {
    return new LinkedHashMap<>(stats);
  }

  @Benchmark
  public int applyPresence() {
    int i = next++ % bridges;
    pool.presence("brewery", ids[i], Optional.of(parsed));
    return i;
  }

  @Benchmark
  public int parseAndApplyPresence() {
    int i = next++ % bridges;
    pool.presence("brewery", ids[i], Optional.of(BridgeStats.parse(stats)));
    return i;
  }
}
