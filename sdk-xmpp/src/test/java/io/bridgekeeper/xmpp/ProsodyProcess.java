package io.bridgekeeper.xmpp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prosody started by a test on 127.0.0.1 with {@code prosody-test.cfg.lua}, its own data
 * directory and a free port, in the foreground; stopped by its own PID only. Accounts
 * {@code jvb/jvbpass} and {@code observer/obspass} on {@code auth.meet.test}.
 */
final class ProsodyProcess implements AutoCloseable {
  static final String DOMAIN = "auth.meet.test";
  static final String MUC = "internal.auth.meet.test";
  static final String RESTRICTED_MUC = "restricted.auth.meet.test";

  final Path dir;
  final int port;
  private final boolean firewall;
  private Process process;

  private ProsodyProcess(Path dir, int port, boolean firewall) {
    this.dir = dir;
    this.port = port;
    this.firewall = firewall;
  }

  static ProsodyProcess start(Path dir) throws IOException, InterruptedException {
    return start(dir, false);
  }

  /**
   * With {@code firewall}, brewery presence of other bridges is dropped on its way to a bridge
   * ({@code jvb-presence-filter.pfw}, as Jitsi deployments do): the MUC's fan-out is then linear.
   */
  static ProsodyProcess start(Path dir, boolean firewall) throws IOException, InterruptedException {
    for (String binary : List.of("/usr/bin/prosody", "/usr/bin/prosodyctl")) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(binary + " not found: run ./run-tests (it installs the Debian package prosody)");
      }
    }
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("certs"));
    for (String file : List.of("prosody-test.cfg.lua", "jvb-presence-filter.pfw")) {
      try (InputStream in = ProsodyProcess.class.getResourceAsStream("/" + file)) {
        Files.write(dir.resolve(file.equals("prosody-test.cfg.lua") ? "prosody.cfg.lua" : file), in.readAllBytes());
      }
    }
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    ProsodyProcess p = new ProsodyProcess(dir, port, firewall);
    p.run("/usr/bin/prosodyctl", "register", "jvb", DOMAIN, "jvbpass");
    p.run("/usr/bin/prosodyctl", "register", "observer", DOMAIN, "obspass");
    p.launch();
    return p;
  }

  private ProcessBuilder builder(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.command().add(1, "--config");
    pb.command().add(2, dir.resolve("prosody.cfg.lua").toString());
    Map<String, String> env = pb.environment();
    env.put("PROSODY_TEST_DIR", dir.toString());
    env.put("PROSODY_TEST_PORT", Integer.toString(port));
    env.put("PROSODY_TEST_FIREWALL", firewall ? "1" : "0");
    return pb.redirectErrorStream(true);
  }

  private void run(String... command) throws IOException, InterruptedException {
    Process p = builder(command).redirectOutput(dir.resolve("prosodyctl.log").toFile()).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n"
          + Files.readString(dir.resolve("prosodyctl.log")));
    }
  }

  /** Starts the server and waits until it accepts connections. */
  void launch() throws IOException, InterruptedException {
    Path log = dir.resolve("prosody.log");
    process = builder("/usr/bin/prosody", "-F").redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("prosody did not start:\n" + Files.readString(log));
        }
        Thread.sleep(50);
      }
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Rooms are in memory: they are gone. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    io.bridgekeeper.routing.TestProcesses.stop(process);
    process = null;
  }

  /**
   * Runs one {@code prosodyctl shell} command (e.g. {@code c2s:close('user@domain')}, which ends
   * those sessions with a clean {@code </stream:stream>}); retried until the admin socket is up.
   */
  String shell(String command) throws IOException, InterruptedException {
    Path out = dir.resolve("shell.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Process p = builder("/usr/bin/prosodyctl", "shell", command).redirectOutput(out.toFile()).start();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("prosodyctl shell " + command + " hangs");
      }
      String said = Files.readString(out);
      if (p.exitValue() == 0 && said.contains("OK")) {
        return said;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("prosodyctl shell " + command + " failed:\n" + said);
      }
      Thread.sleep(100);
    }
  }

  /** Stops and starts again on the same port and data. */
  void restart() throws IOException, InterruptedException {
    close();
    launch();
  }
}
