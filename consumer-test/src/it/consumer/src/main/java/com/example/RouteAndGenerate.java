package com.example;

import io.bridgekeeper.haproxy.HaproxyConfig;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.Router;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Routes a room and writes HAProxy's configuration and maps: README, "Use it from your project". */
public final class RouteAndGenerate {
  public static void main(String[] args) throws Exception {
    Topology topology = Topology.builder()              // or TopologyFiles.load(Path.of("topology.yaml"))
        .shard(Shard.of("eu-1").withAddress("10.0.1.10:443"))
        .shard(Shard.of("eu-2").withAddress("10.0.2.10:443"))
        .build();
    Router router = Router.create(topology);

    Shard shard = router.route(RoomKey.ofRoomName("Daily Standup"));                // as a user types it
    Optional<Shard> same = router.route("/xmpp-websocket?room=daily%20standup");   // as HAProxy sees it
    System.out.println("Daily Standup -> " + shard.id() + ", HAProxy's view -> " + same.orElseThrow().id());

    Path dir = Path.of(args.length > 0 ? args[0] : "haproxy").toAbsolutePath();
    Files.createDirectories(dir);
    HaproxyConfig config = HaproxyConfig.builder()
        .bind("*:80")
        .mapDirectory(dir)                 // where haproxy.cfg says the maps are
        .statsSocket(Optional.empty())
        .build();
    // Checks every map value against the declared backends (and runs `haproxy -c` when HAProxy
    // is installed), then writes buckets.map, pins.map and haproxy.cfg.
    Path cfg = config.write(router.table(), dir);
    System.out.println("wrote " + cfg);
  }
}
