package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bridgekeeper.routing.EchoBackends;
import io.bridgekeeper.routing.HaproxyProcess;
import io.bridgekeeper.routing.RawHttpClient;
import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.TargetArbitraries;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile request targets (every URL form with bad escapes, control bytes, tenants, reserved names,
 * static directories, overlong rooms) through the generated configuration on a real HAProxy: it
 * answers 400 exactly when the Java key derivation refuses the target, serves the static backend
 * exactly when Java finds no room, and otherwise picks the shard {@link RoutingTable#route} picks.
 */
class GeneratedConfigAgreementIT {
  private static final List<RoomKeyRules> RULES = List.of(RoomKeyRules.defaults().withMaxKeyBytes(64),
      RoomKeyRules.defaults().withTenantInKey(true).withMaxKeyBytes(64),
      // One signalling path ends in another, the longer listed first: "/conference-request/v1" is
      // endpoint "v1" in tenant "conference-request" for HAProxy, whatever the order.
      new RoomKeyRules(true, 64, List.of("conference-request/v1", "v1", "http-bind", "xmpp-websocket"),
          RoomKeyRules.DEFAULT_STATIC_DIRECTORIES, RoomKeyRules.DEFAULT_RESERVED_NAMES));

  private static EchoBackends backends;
  private static final HaproxyProcess[] haproxies = new HaproxyProcess[RULES.size()];
  private static final RawHttpClient[] clients = new RawHttpClient[RULES.size()];
  private static final RoutingTable[] tables = new RoutingTable[RULES.size()];
  private static final Path[] dirs = new Path[RULES.size()];

  @BeforeContainer
  static void start() throws Exception {
    backends = EchoBackends.start(List.of("eu-1", "eu-2", "us-1", "us-2", "static"));
    for (int i = 0; i < RULES.size(); i++) {
      dirs[i] = Files.createTempDirectory("bk-generated-agreement");
      tables[i] = RoutingTable.of(GeneratedConfigIT.topology(backends, RULES.get(i)));
      haproxies[i] = GeneratedConfigIT.startGenerated(dirs[i], tables[i], backends);
      clients[i] = new RawHttpClient(haproxies[i].port);
    }
  }

  @AfterContainer
  static void stop() throws IOException {
    for (int i = 0; i < RULES.size(); i++) {
      if (clients[i] != null) {
        clients[i].close();
      }
      if (haproxies[i] != null) {
        haproxies[i].close();
      }
    }
    if (backends != null) {
      backends.close();
    }
  }

  @Provide
  Arbitrary<String> targets() {
    // Whitespace ends a request target on the request line; Java refuses it (RequestTargetExamplesTest).
    return TargetArbitraries.targets().filter(t -> !t.isEmpty() && t.chars().noneMatch(c -> c <= ' '));
  }

  @Example
  void aTenantMatchWinsWhateverTheOrderOfSignallingPaths() throws IOException {
    for (String target : List.of("/conference-request/v1?room=abc", "/Acme/v1?room=abc", "/v1?room=abc",
        "/acme/conference-request/v1?room=abc")) {
      haproxyAndJavaTakeTheSameDecision(target, 2);
    }
    assertEquals("conference-request/abc",
        RULES.get(2).keyOfRequestTarget("/conference-request/v1?room=abc").orElseThrow().toString());
  }

  @Property(tries = 3000)
  void haproxyAndJavaTakeTheSameDecision(@ForAll("targets") String target, @ForAll @IntRange(max = 2) int i)
      throws IOException {
    RawHttpClient.Response response = clients[i].get(target);
    String java;
    try {
      Optional<RoomKey> key = RULES.get(i).keyOfRequestTarget(target);
      java = key.map(k -> tables[i].route(k).id()).orElse("static");
    } catch (RoomKeyException e) {
      if (e.reason() == RoomKeyException.Reason.MALFORMED_TARGET) {
        // Not an origin-form or http(s) absolute-form target: HAProxy refuses it or serves it
        // statically; it never reaches a shard.
        assertEquals(true, response.status() == 400 || response.body().equals("static"),
            () -> target + " -> " + response);
        return;
      }
      java = "400";
    }
    String haproxy = response.status() == 400 ? "400" : response.status() + ":" + response.body();
    assertEquals(java.equals("400") ? "400" : "200:" + java, haproxy, target);
  }
}
