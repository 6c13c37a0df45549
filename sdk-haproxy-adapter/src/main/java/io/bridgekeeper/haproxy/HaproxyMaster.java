package io.bridgekeeper.haproxy;

import io.bridgekeeper.haproxy.HaproxyRuntimeException.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master CLI of an HAProxy in master-worker mode ({@code haproxy -W -S <socket>}), for hitless
 * reloads: the master re-executes itself, re-reads the configuration and map files, hands the
 * listening sockets to a new worker over its internal socket pair, and the old worker finishes its
 * connections. Measured on 2.6.12 under load: no refused or reset connection over 100 reloads.
 *
 * <p>{@link #reload()} returns once the new worker serves, or throws when HAProxy refused the new
 * configuration (the old worker then keeps serving the old one). Thread-safe; calls share no state.
 */
public final class HaproxyMaster {
  // "<pid> master <reloads> [failed: <n>] ..." then "# workers" and the current worker's line.
  private static final Pattern MASTER = Pattern.compile("(?m)^(\\d+)\\s+master\\s+(\\d+) \\[failed: (\\d+)\\]");
  private static final Pattern WORKER = Pattern.compile("# workers\\s*\\n(\\d+)\\s+worker");
  private static final Duration POLL = Duration.ofMillis(20);

  private final HaproxyRuntimeApi cli;
  private final Duration reloadTimeout;

  private HaproxyMaster(HaproxyRuntimeApi cli, Duration reloadTimeout) {
    this.cli = cli;
    this.reloadTimeout = Objects.requireNonNull(reloadTimeout, "reloadTimeout");
  }

  /**
   * The master CLI at {@code socket}; a reload that takes longer than {@code reloadTimeout} fails,
   * and each command waits at most {@link HaproxyRuntimeApi#DEFAULT_TIMEOUT} for its answer.
   */
  public static HaproxyMaster unixSocket(Path socket, Duration reloadTimeout) {
    return unixSocket(socket, reloadTimeout, HaproxyRuntimeApi.DEFAULT_TIMEOUT);
  }

  /**
   * Same, with each command ({@code show proc}, {@code reload}) waiting at most
   * {@code commandTimeout}. A push visits instances one after another, so a frozen master delays
   * the instances after it by this much: keep it short where HAProxies are many.
   */
  public static HaproxyMaster unixSocket(Path socket, Duration reloadTimeout, Duration commandTimeout) {
    return new HaproxyMaster(HaproxyRuntimeApi.masterSocket(socket, commandTimeout), reloadTimeout);
  }

  /** What {@code show proc} says: the master's reload and failure counts, the current worker. */
  public record Processes(long reloads, long failedReloads, long workerPid) {}

  /** {@code show proc}, parsed. */
  public Processes processes() {
    String answer = cli.execute("show proc");
    Matcher m = MASTER.matcher(answer);
    Matcher w = WORKER.matcher(answer);
    if (!m.find() || !w.find()) {
      throw new HaproxyRuntimeException(Kind.PROTOCOL, "unexpected 'show proc' answer: " + answer.strip());
    }
    return new Processes(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(w.group(1)));
  }

  /**
   * Reloads and waits until a new worker serves the configuration now on disk.
   *
   * @return the new worker's process id
   * @throws HaproxyRuntimeException REJECTED when HAProxy could not load the configuration (the old
   *     worker keeps serving), TIMEOUT when no new worker appeared in time
   */
  public long reload() {
    Processes before = processes();
    try {
      cli.execute("reload");
    } catch (HaproxyRuntimeException e) {
      if (e.kind() != Kind.CONNECT) {
        throw e;
      }
      // The master may drop the connection as it re-executes; whether it reloaded shows below.
    }
    long deadline = System.nanoTime() + reloadTimeout.toNanos();
    while (true) {
      OptionalLong newWorker = newWorker(before);
      if (newWorker.isPresent()) {
        return newWorker.getAsLong();
      }
      if (System.nanoTime() > deadline) {
        throw new HaproxyRuntimeException(Kind.TIMEOUT, "no new HAProxy worker within " + reloadTimeout
            + " of the reload");
      }
      try {
        // Waiting for another process to re-execute, not for time to pass: nothing to inject.
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HaproxyRuntimeException(Kind.TIMEOUT, "interrupted while waiting for the reload");
      }
    }
  }

  private OptionalLong newWorker(Processes before) {
    Processes now;
    try {
      now = processes();
    } catch (HaproxyRuntimeException reExecuting) {
      // For ~0.1 s the master re-executes itself and its socket refuses or resets connections.
      return OptionalLong.empty();
    }
    if (now.reloads() <= before.reloads()) {
      return OptionalLong.empty();
    }
    if (now.failedReloads() > 0) {
      throw new HaproxyRuntimeException(Kind.REJECTED,
          "HAProxy could not start a worker with the new configuration (" + now.failedReloads() + " failed reload(s)"
          + " in a row; a configuration haproxy -c accepts can still fail here, for example on a bind address"
          + " already in use or a file it cannot open: HAProxy's log names the cause); the old worker ("
          + now.workerPid() + ") keeps serving the previous one");
    }
    return now.workerPid() != before.workerPid() ? OptionalLong.of(now.workerPid()) : OptionalLong.empty();
  }
}
