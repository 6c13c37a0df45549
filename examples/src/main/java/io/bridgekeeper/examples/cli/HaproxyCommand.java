package io.bridgekeeper.examples.cli;

import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.haproxy.HaproxyBinary;
import io.bridgekeeper.haproxy.HaproxyConfig;
import io.bridgekeeper.haproxy.HaproxyConfigException;
import io.bridgekeeper.haproxy.HaproxyMaster;
import io.bridgekeeper.haproxy.HaproxyRuntimeApi;
import io.bridgekeeper.haproxy.HaproxySync;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.TopologyException;
import io.bridgekeeper.routing.TopologyFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code bridgekeeper haproxy generate|sync}: the HAProxy side of a topology file.
 *
 * <ul>
 *   <li>{@code generate --topology FILE --out DIR [config options]} writes {@code haproxy.cfg}
 *       (or {@code bridgekeeper.cfg} with {@code --fragment}), {@code buckets.map} and
 *       {@code pins.map} into DIR, after {@code haproxy -c} (unless {@code --no-check}).
 *   <li>{@code sync --topology FILE --socket PATH... --map-dir DIR} keeps running HAProxies at the
 *       topology: it watches the file, pins the rooms listed in {@code --live-rooms FILE} (room
 *       names or request targets, one per line) so they never move, and pushes every change over
 *       the runtime API; it pushes again every {@code --resync} so a restarted HAProxy catches up.
 *       With {@code --master-socket PATH --config FILE} (one pair per socket) it also regenerates
 *       the configuration and reloads HAProxy hitlessly when a shard is added or removed.
 * </ul>
 */
final class HaproxyCommand implements BridgekeeperCli.Command {
  private static final String GENERATE = "generate --topology FILE --out DIR [--fragment] [--bind ADDR]... "
      + "[--bind-tls ADDR --cert PEM] [--map-dir DIR] [--stats-socket PATH|none] [--static-server ADDR]... "
      + "[--server-tls plain|verify|no-verify] [--ca-file PEM] [--health-path PATH] [--agent-port N] [--no-log] "
      + "[--no-check]";
  private static final String SYNC = "sync --topology FILE --socket PATH... --map-dir DIR [--live-rooms FILE] "
      + "[--master-socket PATH --config FILE]... [--interval 1s] [--resync 30s] [--socket-timeout 5s] [--reload-timeout 30s] [--once] "
      + "[config options]";

  @Override
  public String usage() {
    return "haproxy " + GENERATE + "\n  haproxy " + SYNC;
  }

  @Override
  public String summary() {
    return "generate HAProxy config and maps for a topology, or keep running HAProxies in sync with it";
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      throw new UsageException("generate or sync?");
    }
    Options o = Options.parse(args.subList(1, args.size()));
    return switch (args.get(0)) {
      case "generate" -> generate(o, out, err);
      case "sync" -> sync(o, out, err);
      default -> throw new UsageException("unknown haproxy command '" + args.get(0) + "'");
    };
  }

  private static int generate(Options o, PrintStream out, PrintStream err) {
    Path outDir = o.require(o.out, "--out DIR");
    Topology topology = o.topology(err);
    if (topology == null) {
      return BridgekeeperCli.USAGE;
    }
    try {
      HaproxyConfig config = o.config(o.mapDir.orElse(outDir));
      Optional<Path> binary = o.noCheck ? Optional.empty() : HaproxyBinary.locate();
      if (!o.noCheck && binary.isEmpty()) {
        err.println("bridgekeeper haproxy: haproxy is not installed, the configuration was not checked "
            + "with haproxy -c (maps were still checked against the backends)");
      }
      Path written = config.write(RoutingTable.of(topology), outDir, binary);
      out.println(written);
      out.println(outDir.resolve("buckets.map"));
      out.println(outDir.resolve("pins.map"));
      return BridgekeeperCli.OK;
    } catch (IllegalArgumentException e) {
      err.println("bridgekeeper haproxy generate: " + e.getMessage());
      return BridgekeeperCli.SOME_FAILED;
    } catch (IOException e) {
      err.println("bridgekeeper haproxy generate: cannot write " + outDir + ": " + BridgekeeperCli.describe(e));
      return BridgekeeperCli.SOME_FAILED;
    }
  }

  private static int sync(Options o, PrintStream out, PrintStream err) {
    Path topologyFile = o.require(o.topologyFile, "--topology FILE");
    Path mapDir = o.require(o.mapDir.orElse(null), "--map-dir DIR");
    if (o.sockets.isEmpty()) {
      throw new UsageException("at least one --socket PATH is required");
    }
    if (!o.masterSockets.isEmpty() && (o.masterSockets.size() != o.sockets.size()
        || o.configFiles.size() != o.sockets.size())) {
      throw new UsageException("give one --master-socket and one --config per --socket, or none");
    }
    Topology topology = o.topology(err);
    if (topology == null) {
      return BridgekeeperCli.USAGE;
    }
    HaproxySync sync;
    try {
      List<HaproxySync.Instance> instances = new ArrayList<>();
      for (int i = 0; i < o.sockets.size(); i++) {
        Path socket = o.sockets.get(i);
        HaproxyRuntimeApi api = HaproxyRuntimeApi.unixSocket(socket, o.socketTimeout);
        Optional<HaproxySync.Reload> reload = o.masterSockets.isEmpty() ? Optional.empty()
            : Optional.of(new HaproxySync.Reload(o.config(mapDir), o.configFiles.get(i),
                HaproxyMaster.unixSocket(o.masterSockets.get(i), o.reloadTimeout, o.socketTimeout)));
        instances.add(new HaproxySync.Instance(socket.toString(), api, mapDir, reload));
      }
      sync = o.masterSockets.isEmpty()
          ? HaproxySync.of(instances, HaproxyConfig.builder().build().declaredBackends(topology))
          : HaproxySync.of(instances);
    } catch (IllegalArgumentException e) {
      err.println("bridgekeeper haproxy sync: " + e.getMessage());
      return BridgekeeperCli.USAGE;
    }
    Router router = Router.create(topology);
    byte[] current = read(topologyFile, err);
    boolean allOk = push(sync, router, out, err);
    if (o.once) {
      return allOk ? BridgekeeperCli.OK : BridgekeeperCli.SOME_FAILED;
    }
    long lastPush = System.nanoTime();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(o.interval.toMillis());
      } catch (InterruptedException e) {
        break;
      }
      byte[] now = read(topologyFile, err);
      if (now != null && !Arrays.equals(now, current)) {
        current = now;
        Topology next;
        try {
          next = TopologyFiles.load(topologyFile);
        } catch (TopologyException e) {
          err.println("bridgekeeper haproxy sync: keeping topology v" + router.table().topology().version()
              + ": " + e.getMessage());
          continue;
        }
        try {
          router.update(next, liveRooms(o, next, err));
        } catch (RuntimeException e) {
          err.println("bridgekeeper haproxy sync: keeping topology v" + router.table().topology().version()
              + ": " + e.getMessage());
          continue;
        }
        push(sync, router, out, err);
        lastPush = System.nanoTime();
      } else if (System.nanoTime() - lastPush >= o.resync.toNanos()) {
        push(sync, router, out, err);
        lastPush = System.nanoTime();
      }
    }
    return BridgekeeperCli.OK;
  }

  private static boolean push(HaproxySync sync, Router router, PrintStream out, PrintStream err) {
    RoutingTable table = router.table();
    List<HaproxySync.InstanceResult> results;
    try {
      results = sync.push(table);
    } catch (HaproxyConfigException e) {
      err.println("bridgekeeper haproxy sync: topology v" + table.topology().version() + " not pushed: "
          + e.getMessage());
      return false;
    }
    boolean ok = true;
    for (HaproxySync.InstanceResult r : results) {
      if (r.ok()) {
        out.println("v" + table.topology().version() + "\t" + r.instance() + "\tok"
            + (r.reloaded() ? " (reloaded)" : "") + "\t" + table.pinCount() + " pins");
      } else {
        ok = false;
        err.println("v" + table.topology().version() + "\t" + r.instance() + "\tfailed: "
            + r.failure().map(Exception::getMessage).orElse(""));
      }
    }
    out.flush();
    return ok;
  }

  /** The rooms listed in the live-rooms file, as keys of {@code topology}'s rules. */
  private static List<RoomKey> liveRooms(Options o, Topology topology, PrintStream err) {
    if (o.liveRooms.isEmpty()) {
      return List.of();
    }
    List<RoomKey> keys = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(o.liveRooms.get())) {
        if (line.isBlank()) {
          continue;
        }
        try {
          if (RouteCommand.isRequestTarget(line)) {
            topology.roomKeys().keyOfRequestTarget(line).ifPresent(keys::add);
          } else {
            keys.add(topology.roomKeys().keyOfRoomName(line));
          }
        } catch (RoomKeyException e) {
          err.println("bridgekeeper haproxy sync: live room '" + line.replaceAll("\\p{Cntrl}", "?")
              + "' ignored: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read live rooms " + o.liveRooms.get() + ": "
          + BridgekeeperCli.describe(e), e);
    }
    return keys;
  }

  private static byte[] read(Path file, PrintStream err) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      err.println("bridgekeeper haproxy sync: cannot read " + file + ": " + BridgekeeperCli.describe(e));
      return null;
    }
  }

  /** Everything both subcommands accept. */
  private static final class Options {
    Path topologyFile;
    Path out;
    Optional<Path> mapDir = Optional.empty();
    final List<Path> sockets = new ArrayList<>();
    final List<Path> masterSockets = new ArrayList<>();
    final List<Path> configFiles = new ArrayList<>();
    Optional<Path> liveRooms = Optional.empty();
    Duration interval = Duration.ofSeconds(1);
    Duration resync = Duration.ofSeconds(30);
    Duration socketTimeout = HaproxyRuntimeApi.DEFAULT_TIMEOUT;
    Duration reloadTimeout = Duration.ofSeconds(30);
    boolean once;
    boolean noCheck;
    boolean fragment;
    boolean noLog;
    final List<String> binds = new ArrayList<>();
    final List<String> tlsBinds = new ArrayList<>();
    Path cert;
    Optional<Path> statsSocket = Optional.of(Path.of("/run/haproxy/admin.sock"));
    final List<String> staticServers = new ArrayList<>();
    HaproxyConfig.ServerTls serverTls = HaproxyConfig.ServerTls.PLAIN;
    Path caFile;
    String healthPath;
    int agentPort;

    static Options parse(List<String> args) {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--topology" -> o.topologyFile = Path.of(BridgekeeperCli.optionValue(args, ++i, a));
          case "--out" -> o.out = Path.of(BridgekeeperCli.optionValue(args, ++i, a)).toAbsolutePath();
          case "--map-dir" -> o.mapDir = Optional.of(Path.of(BridgekeeperCli.optionValue(args, ++i, a)).toAbsolutePath());
          case "--socket" -> o.sockets.add(Path.of(BridgekeeperCli.optionValue(args, ++i, a)));
          case "--master-socket" -> o.masterSockets.add(Path.of(BridgekeeperCli.optionValue(args, ++i, a)));
          case "--config" -> o.configFiles.add(Path.of(BridgekeeperCli.optionValue(args, ++i, a)).toAbsolutePath());
          case "--live-rooms" -> o.liveRooms = Optional.of(Path.of(BridgekeeperCli.optionValue(args, ++i, a)));
          case "--interval" -> o.interval = BridgekeeperCli.durationValue(args, ++i, a);
          case "--resync" -> o.resync = BridgekeeperCli.durationValue(args, ++i, a);
          case "--socket-timeout" -> o.socketTimeout = BridgekeeperCli.durationValue(args, ++i, a);
          case "--reload-timeout" -> o.reloadTimeout = BridgekeeperCli.durationValue(args, ++i, a);
          case "--once" -> o.once = true;
          case "--no-check" -> o.noCheck = true;
          case "--fragment" -> o.fragment = true;
          case "--no-log" -> o.noLog = true;
          case "--bind" -> o.binds.add(BridgekeeperCli.optionValue(args, ++i, a));
          case "--bind-tls" -> o.tlsBinds.add(BridgekeeperCli.optionValue(args, ++i, a));
          case "--cert" -> o.cert = Path.of(BridgekeeperCli.optionValue(args, ++i, a));
          case "--stats-socket" -> {
            String v = BridgekeeperCli.optionValue(args, ++i, a);
            o.statsSocket = v.equals("none") ? Optional.empty() : Optional.of(Path.of(v));
          }
          case "--static-server" -> o.staticServers.add(BridgekeeperCli.optionValue(args, ++i, a));
          case "--server-tls" -> o.serverTls = switch (BridgekeeperCli.optionValue(args, ++i, a)) {
            case "plain" -> HaproxyConfig.ServerTls.PLAIN;
            case "verify" -> HaproxyConfig.ServerTls.VERIFY;
            case "no-verify" -> HaproxyConfig.ServerTls.NO_VERIFY;
            default -> throw new UsageException("--server-tls is plain, verify or no-verify");
          };
          case "--ca-file" -> o.caFile = Path.of(BridgekeeperCli.optionValue(args, ++i, a));
          case "--health-path" -> o.healthPath = BridgekeeperCli.optionValue(args, ++i, a);
          case "--agent-port" -> {
            try {
              o.agentPort = Integer.parseInt(BridgekeeperCli.optionValue(args, ++i, a));
            } catch (NumberFormatException e) {
              throw new UsageException("--agent-port needs a number");
            }
          }
          default -> throw new UsageException("unknown option " + a);
        }
      }
      if (!o.tlsBinds.isEmpty() && o.cert == null) {
        throw new UsageException("--bind-tls needs --cert PEM");
      }
      return o;
    }

    <T> T require(T value, String what) {
      if (value == null) {
        throw new UsageException(what + " is required");
      }
      return value;
    }

    Topology topology(PrintStream err) {
      try {
        return TopologyFiles.load(require(topologyFile, "--topology FILE"));
      } catch (TopologyException e) {
        err.println("bridgekeeper haproxy: " + e.getMessage());
        return null;
      }
    }

    /** @throws IllegalArgumentException naming a bad option */
    HaproxyConfig config(Path mapDirectory) {
      HaproxyConfig.Builder b = HaproxyConfig.builder().fragment(fragment).mapDirectory(mapDirectory)
          .statsSocket(statsSocket).serverTls(serverTls).agentPort(agentPort);
      binds.forEach(b::bind);
      tlsBinds.forEach(t -> b.bindTls(t, cert));
      staticServers.forEach(b::staticServer);
      if (caFile != null) {
        b.caFile(caFile);
      }
      if (healthPath != null) {
        b.healthCheckPath(healthPath);
      }
      if (noLog) {
        b.logTarget(Optional.empty());
      }
      return b.build();
    }
  }
}
