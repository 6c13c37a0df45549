package io.bridgekeeper.routing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy started by a test on 127.0.0.1 in the foreground ({@code -db}), stopped by its
 * own PID only. Fails loudly when the binary is missing: {@code ./run-tests} installs it.
 */
public final class HaproxyProcess implements AutoCloseable {
  /** {@code global} and {@code defaults} sections every test configuration starts with. */
  public static final String TEST_PREAMBLE = """
      global
          maxconn 64
      defaults
          mode http
          timeout connect 2s
          timeout client 10s
          timeout server 10s
          timeout http-keep-alive 10s
      """;

  private final Process process;
  private final Path log;
  public final int port;

  private HaproxyProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static String binary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "haproxy not found: run ./run-tests (it installs the Debian package) or apt-get install haproxy");
  }

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** Writes {@code config} (with {@code {PORT}} replaced), checks it, starts HAProxy, waits for it. */
  public static HaproxyProcess start(Path dir, String config) throws IOException, InterruptedException {
    return start(dir, config, freePort());
  }

  /** Like {@link #start(Path, String)}, for a config that listens on {@code port} (chosen by the caller). */
  public static HaproxyProcess start(Path dir, String config, int port) throws IOException, InterruptedException {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, config.replace("{PORT}", Integer.toString(port)));
    return launch(dir, cfg, port, List.of("-db"));
  }

  /**
   * Starts HAProxy in master-worker mode on an existing configuration file, with its master CLI
   * at {@link #masterSocket(Path) dir/master.sock}; {@link #close()} stops the master, and the
   * workers with it.
   */
  public static HaproxyProcess startMasterWorker(Path dir, Path cfg, int port) throws IOException, InterruptedException {
    return launch(dir, cfg, port, List.of("-W", "-db", "-S", masterSocket(dir).toString()));
  }

  /** Where {@link #startMasterWorker} puts the master CLI. */
  public static Path masterSocket(Path dir) {
    return dir.resolve("master.sock");
  }

  private static HaproxyProcess launch(Path dir, Path cfg, int port, List<String> mode)
      throws IOException, InterruptedException {
    Path log = dir.resolve("haproxy.log");
    Process check = new ProcessBuilder(binary(), "-c", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
      check.destroyForcibly();
      throw new IllegalStateException("haproxy -c rejected the test config:\n" + Files.readString(log));
    }
    List<String> command = new java.util.ArrayList<>(List.of(binary()));
    command.addAll(mode);
    command.addAll(List.of("-f", cfg.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    HaproxyProcess h = new HaproxyProcess(p, log, port);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return h;
      } catch (IOException notYet) {
        if (!p.isAlive() || Instant.now().isAfter(deadline)) {
          h.close();
          throw new IllegalStateException("haproxy did not start:\n" + Files.readString(log));
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() {
    TestProcesses.stop(process);
  }

  public Path log() {
    return log;
  }
}
