package io.bridgekeeper.examples.cli;

import io.bridgekeeper.examples.cli.BridgekeeperCli.UsageException;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.RoutingDiff;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.TopologyFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code bridgekeeper demo [--topology FILE]}: routes a few rooms against the example topology
 * (bundled, or yours), then adds a shard while those rooms are live and shows that they stay
 * where they are while new rooms use the new table.
 */
final class DemoCommand implements BridgekeeperCli.Command {
  static final String DEFAULT_TOPOLOGY = "/io/bridgekeeper/examples/default-topology.yaml";

  private static final List<String> TARGETS = List.of(
      "Daily Standup",
      "Café Crème",
      "/acme/ProductReview",
      "/http-bind?room=daily%20standup",
      "/acme/xmpp-websocket?room=caf%c3%a9%20cr%c3%a8me&token=abc",
      "/conference-request/v1?room=productreview",
      "/libs/app.bundle.min.js");

  @Override
  public String usage() {
    return "demo [--topology FILE]";
  }

  @Override
  public String summary() {
    return "route a few rooms on the example topology, then add a shard with the rooms live";
  }

  @Override
  public int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    Topology topology;
    String source;
    if (args.isEmpty()) {
      topology = loadDefault();
      source = "the bundled example topology (examples/topologies/example.yaml)";
    } else if (args.size() == 2 && args.get(0).equals("--topology")) {
      topology = TopologyFiles.load(Path.of(args.get(1)));
      source = args.get(1);
    } else {
      throw new UsageException("expected no arguments or --topology FILE");
    }
    Router router = Router.create(topology);
    out.println("Bridgekeeper routing demo on " + source);
    out.println("topology v" + topology.version() + ": " + topology.bucketCount() + " buckets, placement "
        + topology.placement());
    printShards(router, out);

    out.println();
    out.println("Where each room lives (room names are normalised like jitsi-meet does; request");
    out.println("targets are read like HAProxy reads them):");
    java.util.Set<RoomKey> live = new java.util.LinkedHashSet<>();
    for (String target : TARGETS) {
      String shard;
      if (RouteCommand.isRequestTarget(target)) {
        shard = router.route(target).map(Shard::id).orElse("- (no room: static file)");
        topology.roomKeys().keyOfRequestTarget(target).ifPresent(live::add);
      } else {
        RoomKey key = RoomKey.ofRoomName(target);
        live.add(key);
        shard = router.route(key).id();
      }
      out.printf("  %-58s %s%n", target, shard);
    }

    out.println();
    Shard added = new Shard("eu-central-1c", 100, "eu-central", ShardState.ACTIVE, "10.10.3.10:443", null);
    out.println("Adding shard " + added.id() + " while those rooms are live...");
    Map<RoomKey, String> before = new java.util.HashMap<>();
    live.forEach(k -> before.put(k, router.route(k).id()));
    RoutingDiff diff = router.update(topology.withShard(added), live);
    out.printf("  %d of %d buckets moved; %d live room(s) pinned to stay where they are%n",
        diff.moves().size(), topology.bucketCount(), diff.pinsSet().size());
    long stayed = live.stream().filter(k -> router.route(k).id().equals(before.get(k))).count();
    out.printf("  live rooms still on their shard: %d of %d (each room counted once)%n", stayed, live.size());
    printShards(router, out);
    return BridgekeeperCli.OK;
  }

  private static void printShards(Router router, PrintStream out) {
    Map<String, Integer> counts = router.table().bucketCounts();
    for (Shard s : router.table().shards()) {
      out.printf("  %-16s %-10s %-9s weight %-5d %6d buckets%n", s.id(), s.region(), s.state(), s.weight(),
          counts.get(s.id()));
    }
  }

  static Topology loadDefault() {
    try (InputStream in = DemoCommand.class.getResourceAsStream(DEFAULT_TOPOLOGY)) {
      if (in == null) {
        throw new IllegalStateException("bundled topology " + DEFAULT_TOPOLOGY + " is missing");
      }
      return TopologyFiles.parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
