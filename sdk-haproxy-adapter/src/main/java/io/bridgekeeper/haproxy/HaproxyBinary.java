package io.bridgekeeper.haproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The installed {@code haproxy} binary, for {@code haproxy -c}. Stateless. */
public final class HaproxyBinary {
  private static final List<String> CANDIDATES =
      List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy", "/usr/local/bin/haproxy");

  private HaproxyBinary() {}

  /** The first executable {@code haproxy} in the usual places, if any. */
  public static Optional<Path> locate() {
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /**
   * Runs {@code haproxy -c -f config}.
   *
   * @throws HaproxyConfigException with HAProxy's own diagnostics when it rejects the file
   */
  public static void check(Path binary, Path config) throws IOException {
    Process p = new ProcessBuilder(binary.toString(), "-c", "-f", config.toString())
        .redirectErrorStream(true).start();
    try {
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new HaproxyConfigException("haproxy -c did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new HaproxyConfigException("haproxy -c rejected the generated configuration (exit "
            + p.exitValue() + "):\n" + new String(output, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for haproxy -c", e);
    }
  }
}
