package io.bridgekeeper.haproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The installed {@code haproxy} binary, for {@code haproxy -c}. Stateless. */
public final class HaproxyBinary {
  private static final List<String> CANDIDATES =
      List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy", "/usr/local/bin/haproxy");

  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
  /** Most of HAProxy's diagnostics quoted in an exception. */
  private static final int MAX_OUTPUT = 64 * 1024;

  private HaproxyBinary() {}

  /** The first executable {@code haproxy} in the usual places, if any. */
  public static Optional<Path> locate() {
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /**
   * Runs {@code haproxy -c -f config}, and kills it if it has not finished within 60 s.
   *
   * @throws HaproxyConfigException with HAProxy's own diagnostics when it rejects the file, or when
   *     it did not finish in time
   */
  public static void check(Path binary, Path config) throws IOException {
    check(binary, config, CHECK_TIMEOUT);
  }

  static void check(Path binary, Path config, Duration timeout) throws IOException {
    // To a file, not a pipe: reading a pipe to its end would wait for the process however long it
    // takes, and an unread pipe can fill up and stall it.
    Path output = Files.createTempFile("bridgekeeper-haproxy-check", ".log");
    try {
      Process p = new ProcessBuilder(binary.toString(), "-c", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new HaproxyConfigException("haproxy -c did not finish within " + timeout.toMillis()
              + " ms and was killed; it said:\n" + read(output));
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for haproxy -c", e);
      }
      if (p.exitValue() != 0) {
        throw new HaproxyConfigException("haproxy -c rejected the generated configuration (exit "
            + p.exitValue() + "):\n" + read(output));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String read(Path output) throws IOException {
    byte[] bytes;
    try (var in = Files.newInputStream(output)) {
      bytes = in.readNBytes(MAX_OUTPUT);
    }
    return new String(bytes, StandardCharsets.UTF_8).strip();
  }
}
