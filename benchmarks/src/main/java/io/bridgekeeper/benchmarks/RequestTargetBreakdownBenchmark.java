package io.bridgekeeper.benchmarks;

import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.internal.RequestTargetScanner;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
  byte[] bytes = new byte[16_384 + Long.BYTES];
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

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;

  /**
   * Floor of a word-at-a-time check: copy the low byte of each character (a plain array copy for
   * a Latin-1 string), then test eight bytes per step for {@code <= 0x20}, {@code >= 0x7f} and
   * {@code '#'}. Even this is not a usable scanner: the copy truncates characters above U+00FF,
   * so a target HAProxy refuses could pass, and telling such strings apart costs another pass.
   */
  @Benchmark
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the truncating copy is the point
  public boolean copyBytesAndValidateWords() {
    String t = targets[next()];
    int n = t.length();
    t.getBytes(0, n, bytes, 0);
    long bad = 0;
    int k = 0;
    for (; k + Long.BYTES <= n; k += Long.BYTES) {
      bad |= badBytes((long) LONGS.get(bytes, k));
    }
    if (k < n) {
      long keep = -1L >>> (Long.SIZE - Byte.SIZE * (n - k));
      bad |= badBytes(((long) LONGS.get(bytes, k) & keep) | (0x6161616161616161L & ~keep)); // pad with 'a'
    }
    return bad == 0;
  }

  /** The high bit of each byte that is a control, a space, DEL, non-ASCII or '#'. */
  private static long badBytes(long x) {
    long hash = x ^ (0x23 * ONES);
    return (x | (x + ONES) | ((x - 0x21 * ONES) & ~x) | ((hash - ONES) & ~hash)) & (0x80 * ONES);
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
