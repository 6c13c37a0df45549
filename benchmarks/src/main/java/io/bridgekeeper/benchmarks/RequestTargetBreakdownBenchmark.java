package io.bridgekeeper.benchmarks;

import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.internal.RequestTargetScanner;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where {@code route(requestTarget)} spends its time: scan (parse + decode), CRC, the whole call,
 * and the floors any scanner pays (copying the target, checking every character).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RequestTargetBreakdownBenchmark {
  private static final int ROOMS = 1024;

  /** How many distinct targets are cycled: 1 shows the cost without branch misprediction. */
  @org.openjdk.jmh.annotations.Param({"1", "1024"})
  int variety;

  String[] targets;
  byte[][] keys;
  byte[] buffer = new byte[RoomKeyRules.MAX_MAX_KEY_BYTES];
  char[] chars = new char[16_384];
  CRC32 crc = new CRC32();
  RequestTargetScanner scanner;
  RoutingTable table;
  int i;

  @Setup
  public void setUp() {
    table = RoutingTable.of(Topology.of("a", "b", "c"));
    scanner = new RequestTargetScanner(RoomKeyRules.defaults());
    targets = BenchmarkRooms.targets(ROOMS);
    keys = new byte[ROOMS][];
    for (int r = 0; r < ROOMS; r++) {
      keys[r] = RoomKeyRules.defaults().keyOfRequestTarget(targets[r]).orElseThrow().bytes();
    }
  }

  private int next() {
    int r = i;
    i = (r + 1) & (variety - 1);
    return r;
  }

  @Benchmark
  public int scanOnly() {
    return scanner.scan(targets[next()], chars, buffer);
  }

  @Benchmark
  public long crcOnly() {
    byte[] k = keys[next()];
    crc.reset();
    crc.update(k, 0, k.length);
    return crc.getValue();
  }

  @Benchmark
  public Optional<?> wholeRoute() {
    return table.route(targets[next()]);
  }

  /** Floor: the bulk copy the scanner starts with. */
  @Benchmark
  public int copyOnly() {
    String t = targets[next()];
    t.getChars(0, t.length(), chars, 0);
    return chars[t.length() - 1];
  }

  /** Floor: copy, then check every character as HAProxy's parser does (the contract needs it). */
  @Benchmark
  public int copyAndValidate() {
    String t = targets[next()];
    int n = t.length();
    t.getChars(0, n, chars, 0);
    int bad = 0;
    for (int k = 0; k < n; k++) {
      char c = chars[k];
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        bad++;
      }
    }
    return bad;
  }

  /** Floor: the same check through {@code charAt}, without the copy. */
  @Benchmark
  public int charAtValidate() {
    String t = targets[next()];
    int n = t.length();
    int bad = 0;
    for (int k = 0; k < n; k++) {
      char c = t.charAt(k);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        bad++;
      }
    }
    return bad;
  }
}
