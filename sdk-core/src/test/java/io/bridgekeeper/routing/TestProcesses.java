package io.bridgekeeper.routing;

import java.util.concurrent.TimeUnit;

/** Stops a process a test started, by its own handle only: SIGTERM, then SIGKILL after 5 s. */
public final class TestProcesses {
  private TestProcesses() {}

  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
