package io.bridgekeeper.benchmarks;

import io.bridgekeeper.haproxy.HaproxyBinary;
import io.bridgekeeper.haproxy.HaproxyConfig;
import io.bridgekeeper.haproxy.HaproxyMaps;
import io.bridgekeeper.haproxy.HaproxyRuntimeApi;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy with the generated configuration against the same backends behind a plain
 * {@code roundrobin} configuration, measured with {@code wrk} on loopback in one run; then the time
 * to swap a full bucket map (default B) over the runtime API while {@code wrk} keeps requesting.
 *
 * <p>Run it with {@code benchmarks/haproxy-wrk} (installs wrk and HAProxy when missing). Arguments:
 * {@code [rounds] [seconds-per-run] [connections]}, default 20, 5, 16. Runs are paired and
 * alternate in order, so slow drifts of the shared host cancel in each round's ratio. Every process it starts is
 * stopped by its own PID.
 */
public final class HaproxyWrkBenchmark {
  private static final List<String> SHARDS = List.of("a", "b", "c", "d");
  private static final String PROXY_CPU = "0";
  private static final String LOAD_CPU = "1";
  private static final String GLOBAL = "global\n    nbthread 1\n";
  private static final String DEFAULTS = """
      defaults
          mode http
          timeout connect 5s
          timeout client 60s
          timeout server 60s
      """;

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();

  private HaproxyWrkBenchmark(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    HaproxyWrkBenchmark b = new HaproxyWrkBenchmark(Files.createTempDirectory("bk-wrk"));
    try {
      b.run(rounds, seconds, connections);
    } finally {
      b.stopAll();
    }
  }

  private void run(int rounds, int seconds, int connections) throws Exception {
    String haproxy = HaproxyBinary.locate().orElseThrow(() -> new IllegalStateException("haproxy is not installed"))
        .toString();
    // The shards: one HAProxy (one thread) answering each shard's name on its own port.
    StringBuilder echo = new StringBuilder(GLOBAL).append(DEFAULTS);
    List<Integer> ports = new ArrayList<>();
    for (String id : SHARDS) {
      int port = freePort();
      ports.add(port);
      echo.append("frontend shard_").append(id).append("\n    bind 127.0.0.1:").append(port)
          .append("\n    http-request return status 200 content-type text/plain string ").append(id).append('\n');
    }
    start(haproxy, "echo", echo.toString(), ports.get(0), LOAD_CPU);

    Topology.Builder t = Topology.builder().version(1);
    for (int i = 0; i < SHARDS.size(); i++) {
      t.shard(new Shard(SHARDS.get(i), 100, "", ShardState.ACTIVE, "127.0.0.1:" + ports.get(i), null));
    }
    Topology topology = t.build();
    RoutingTable table = RoutingTable.of(topology);

    int generatedPort = freePort();
    Path socket = dir.resolve("admin.sock");
    HaproxyConfig config = HaproxyConfig.builder().bind("127.0.0.1:" + generatedPort).mapDirectory(dir)
        .statsSocket(Optional.of(socket)).logTarget(Optional.empty()).masterWorker(false)
        .staticServer("127.0.0.1:" + ports.get(0)).build();
    Path generatedCfg = config.write(table, dir);
    // Same thread count as the baseline: the comparison is of configurations, not of cores.
    Files.writeString(generatedCfg, Files.readString(generatedCfg).replace("global\n", GLOBAL));
    Process generatedProxy = start(haproxy, "generated", Files.readString(generatedCfg), generatedPort, PROXY_CPU);

    int roundRobinPort = freePort();
    StringBuilder rr = new StringBuilder(GLOBAL).append(DEFAULTS)
        .append("frontend fe_roundrobin\n    bind 127.0.0.1:").append(roundRobinPort)
        .append("\n    option forwardfor\n")
        .append("    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n")
        .append("    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n")
        .append("    default_backend be_roundrobin\n")
        .append("backend be_roundrobin\n    balance roundrobin\n");
    for (int i = 0; i < SHARDS.size(); i++) {
      rr.append("    server ").append(SHARDS.get(i)).append(" 127.0.0.1:").append(ports.get(i)).append('\n');
    }
    Process roundRobinProxy = start(haproxy, "roundrobin", rr.toString(), roundRobinPort, PROXY_CPU);

    Path targets = dir.resolve("targets.txt");
    Files.write(targets, Arrays.asList(BenchmarkRooms.targets(10_000)));
    Path script = dir.resolve("targets.lua");
    Files.writeString(script, """
        local targets = {}
        for line in io.lines(os.getenv("BK_TARGETS")) do targets[#targets + 1] = line end
        local i = 0
        request = function()
          i = i % #targets + 1
          return wrk.format("GET", targets[i])
        end
        """);

    System.out.printf("wrk -t1 -c%d -d%ds --latency, %d rounds, order alternating; proxies under test: 1 thread "
        + "on CPU %s; wrk and backends on CPU %s%n",
        connections, seconds, rounds, PROXY_CPU, LOAD_CPU);
    System.out.println("round | generated req/s | roundrobin req/s | ratio | generated p50/p99 | roundrobin p50/p99 "
        + "| proxy CPU µs/request generated / roundrobin");
    List<Double> cpuRatios = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Double> genRates = new ArrayList<>();
    List<Double> rrRates = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      Wrk gen;
      Wrk base;
      if (r % 2 == 1) {
        gen = wrk(generatedProxy, generatedPort, seconds, connections, script, targets);
        base = wrk(roundRobinProxy, roundRobinPort, seconds, connections, script, targets);
      } else {
        base = wrk(roundRobinProxy, roundRobinPort, seconds, connections, script, targets);
        gen = wrk(generatedProxy, generatedPort, seconds, connections, script, targets);
      }
      cpuRatios.add(gen.cpuMicrosPerRequest / base.cpuMicrosPerRequest);
      if (gen.failed() > 0 || base.failed() > 0) {
        throw new IllegalStateException("failed requests: generated " + gen + ", roundrobin " + base);
      }
      ratios.add(gen.requestsPerSecond / base.requestsPerSecond);
      genRates.add(gen.requestsPerSecond);
      rrRates.add(base.requestsPerSecond);
      System.out.printf("%d | %.0f | %.0f | %.3f | %s / %s | %s / %s | %.1f / %.1f%n", r, gen.requestsPerSecond,
          base.requestsPerSecond, ratios.get(ratios.size() - 1), gen.p50, gen.p99, base.p50, base.p99,
          gen.cpuMicrosPerRequest, base.cpuMicrosPerRequest);
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    double median = (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2;
    System.out.printf("generated %s req/s, roundrobin %s req/s (mean ± sd); ratio generated/roundrobin: "
            + "mean %s (± 95%% CI), median %.3f, over %d paired rounds%n",
        meanSd(genRates, "%.0f"), meanSd(rrRates, "%.0f"), meanCi(ratios), median, rounds);
    System.out.printf("proxy CPU time per request, generated/roundrobin: mean %s (± 95%% CI)%n", meanCi(cpuRatios));

    // Full bucket-map swaps under load: between two tables that differ in most buckets.
    HaproxyRuntimeApi api = HaproxyRuntimeApi.unixSocket(socket, Duration.ofSeconds(10));
    RoutingTable other = RoutingTable.of(topology.withWeight("a", 400).withWeight("b", 25));
    String bucketsMap = dir.resolve(HaproxyMaps.BUCKETS_MAP).toString();
    int swaps = 6;
    ProcessBuilder load = wrkCommand(generatedPort, swaps * 2 + 4, connections, script, targets);
    Process wrk = load.start();
    processes.add(wrk);
    Thread.sleep(2000);
    List<Double> swapMillis = new ArrayList<>();
    for (int s = 0; s < swaps; s++) {
      Map<String, String> entries = HaproxyMaps.bucketEntries(s % 2 == 0 ? other : table);
      long t0 = System.nanoTime();
      api.replaceMap(bucketsMap, entries);
      swapMillis.add((System.nanoTime() - t0) / 1e6);
      Thread.sleep(1500);
    }
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor(60, TimeUnit.SECONDS);
    Wrk during = Wrk.parse(output);
    int entries = api.showMap(bucketsMap).size();
    System.out.println("swap times (ms): " + swapMillis.stream().map(d -> String.format("%.0f", d)).toList());
    System.out.printf("full bucket-map swap (B = %d entries, %d swaps under wrk load): %s ms (mean ± sd), max %.0f ms; "
            + "requests during swaps %d, failed %d; entries after %d%n", table.bucketCount(), swaps,
        meanSd(swapMillis, "%.0f"), swapMillis.stream().mapToDouble(d -> d).max().orElse(0), during.requests,
        during.failed(), entries);
  }

  private record Wrk(double requestsPerSecond, long requests, String p50, String p99, long non2xx, long socketErrors,
      double cpuMicrosPerRequest) {
    long failed() {
      return non2xx + socketErrors;
    }

    static Wrk parse(String out) {
      double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)", "0"));
      long requests = Long.parseLong(find(out, "(\\d+) requests in", "0"));
      long non2xx = Long.parseLong(find(out, "Non-2xx or 3xx responses: (\\d+)", "0"));
      Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
      long errors = 0;
      if (m.find()) {
        for (int g = 1; g <= 4; g++) {
          errors += Long.parseLong(m.group(g));
        }
      }
      return new Wrk(rps, requests, find(out, "(?m)^\\s+50%\\s+(\\S+)", "?"), find(out, "(?m)^\\s+99%\\s+(\\S+)", "?"), non2xx, errors,
          Double.NaN);
    }

    Wrk withCpu(Duration cpu) {
      return new Wrk(requestsPerSecond, requests, p50, p99, non2xx, socketErrors,
          cpu.toNanos() / 1000.0 / Math.max(1, requests));
    }

    private static String find(String out, String regex, String otherwise) {
      Matcher m = Pattern.compile(regex).matcher(out);
      return m.find() ? m.group(1) : otherwise;
    }
  }

  /** One wrk run against {@code proxy}; also the proxy's CPU time per request, less noisy than req/s. */
  private Wrk wrk(Process proxy, int port, int seconds, int connections, Path script, Path targets) throws Exception {
    Duration cpuBefore = cpu(proxy);
    Process p = wrkCommand(port, seconds, connections, script, targets).start();
    processes.add(p);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(seconds + 30L, TimeUnit.SECONDS);
    return Wrk.parse(out).withCpu(cpu(proxy).minus(cpuBefore));
  }

  private static Duration cpu(Process p) {
    return p.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException("no CPU time for " + p.pid()));
  }

  private static ProcessBuilder wrkCommand(int port, int seconds, int connections, Path script, Path targets) {
    ProcessBuilder pb = new ProcessBuilder(pinned(LOAD_CPU, "wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
        "-s", script.toString(), "http://127.0.0.1:" + port)).redirectErrorStream(true);
    pb.environment().put("BK_TARGETS", targets.toString());
    return pb;
  }

  private Process start(String haproxy, String name, String config, int port, String cpu) throws Exception {
    Path cfg = dir.resolve(name + ".cfg");
    Files.writeString(cfg, config);
    Process p = new ProcessBuilder(pinned(cpu, haproxy, "-db", "-f", cfg.toString())).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    processes.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return p;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " HAProxy did not start: " + Files.readString(dir.resolve(name + ".log")));
        }
        Thread.sleep(50);
      }
    }
  }

  private void stopAll() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The proxy under test gets one core, wrk and the backends the other: on two shared cores this
   * keeps the scheduler from deciding the comparison.
   */
  private static List<String> pinned(String cpu, String... command) {
    List<String> c = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      c.addAll(List.of("/usr/bin/taskset", "-c", cpu));
    }
    c.addAll(Arrays.asList(command));
    return c;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static String meanCi(List<Double> xs) {
    double mean = xs.stream().mapToDouble(d -> d).average().orElse(0);
    double var = xs.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / Math.max(1, xs.size() - 1);
    return String.format("%.3f ± %.3f", mean, 1.96 * Math.sqrt(var / xs.size()));
  }

  private static String meanSd(List<Double> xs, String format) {
    double mean = xs.stream().mapToDouble(d -> d).average().orElse(0);
    double var = xs.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / Math.max(1, xs.size() - 1);
    return String.format(format, mean) + " ± " + String.format(format, Math.sqrt(var));
  }
}
