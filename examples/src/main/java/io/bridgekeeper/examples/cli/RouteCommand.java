package io.bridgekeeper.examples.cli;

import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.routing.NoRouteException;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.TopologyException;
import io.bridgekeeper.routing.TopologyFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bridgekeeper route --topology FILE [--tenant T] [TARGET...]}: prints
 * {@code TARGET<TAB>SHARD-ID} per room name or request target, in input order. Reads targets from
 * standard input, one per line, when none are given or the only one is {@code -}.
 *
 * <p>A request target starts with {@code /}, {@code http://} or {@code https://} and is read the
 * way HAProxy reads it; anything else is a room name as a user types it. A target that carries no
 * room (a static file) prints {@code -} as its shard. A bad target prints an error on standard
 * error and the exit status is 1.
 */
final class RouteCommand implements BridgekeeperCli.Command {

  @Override
  public String usage() {
    return "route --topology FILE [--tenant TENANT] [TARGET... | -]";
  }

  @Override
  public String summary() {
    return "print the shard of each room name or HTTP request target";
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    Path topologyFile = null;
    String tenant = null;
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--topology" -> topologyFile = Path.of(BridgekeeperCli.optionValue(args, ++i, a));
        case "--tenant" -> tenant = BridgekeeperCli.optionValue(args, ++i, a);
        case "--" -> {
          targets.addAll(args.subList(i + 1, args.size()));
          i = args.size();
        }
        default -> {
          if (a.startsWith("--")) {
            throw new UsageException("unknown option " + a);
          }
          targets.add(a);
        }
      }
    }
    if (topologyFile == null) {
      throw new UsageException("--topology FILE is required");
    }
    Topology topology;
    try {
      topology = TopologyFiles.load(topologyFile);
    } catch (TopologyException e) {
      err.println("bridgekeeper route: " + e.getMessage());
      return BridgekeeperCli.USAGE;
    }
    RoutingTable table = RoutingTable.of(topology);
    boolean fromStdin = targets.isEmpty() || targets.equals(List.of("-"));
    int failures = 0;
    if (fromStdin) {
      try {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isEmpty()) {
            failures += routeOne(table, line, tenant, out, err);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      for (String t : targets) {
        failures += routeOne(table, t, tenant, out, err);
      }
    }
    out.flush();
    return failures == 0 ? BridgekeeperCli.OK : BridgekeeperCli.SOME_FAILED;
  }


  /** Returns 1 when the target failed. */
  private static int routeOne(RoutingTable table, String target, String tenant, PrintStream out, PrintStream err) {
    try {
      Optional<Shard> shard;
      if (isRequestTarget(target)) {
        shard = table.route(target);
      } else {
        RoomKey key = table.topology().roomKeys().keyOfRoomName(tenant, target);
        shard = Optional.of(table.route(key));
      }
      out.println(target + "\t" + shard.map(Shard::id).orElse("-"));
      return 0;
    } catch (RoomKeyException e) {
      out.flush();
      err.println("bridgekeeper route: " + printable(target) + ": " + e.getMessage()
          + " [" + e.reason() + "]");
      err.flush();
      return 1;
    } catch (NoRouteException e) {
      out.flush();
      err.println("bridgekeeper route: " + printable(target) + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  static boolean isRequestTarget(String s) {
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    return s.startsWith("/") || lower.startsWith("http://") || lower.startsWith("https://");
  }

  /** A target echoed in an error line: control characters would break the line, so they go. */
  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
