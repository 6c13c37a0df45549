package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyConfigTest {
  static final Topology TOPOLOGY = Topology.builder().version(3)
      .shard(new Shard("a", 100, "eu", ShardState.ACTIVE, "10.0.0.1:443", null))
      .shard(new Shard("b", 200, "eu", ShardState.DRAINING, "shard-b.internal", null))
      .shard(new Shard("c", 100, "us", ShardState.DOWN, "", "custom_backend"))
      .build();

  @Test
  void completeConfigurationHasEveryPart() {
    String cfg = HaproxyConfig.builder().bindTls("*:443", Path.of("/etc/ssl/jitsi.pem")).bind("*:80")
        .statsSocket(Optional.of(Path.of("/run/haproxy/bk.sock"))).serverTls(HaproxyConfig.ServerTls.VERIFY)
        .caFile(Path.of("/etc/ssl/certs/ca-certificates.crt")).agentPort(6060).build().render(TOPOLOGY);
    for (String expected : List.of("global\n", "    master-worker\n",
        "    stats socket /run/haproxy/bk.sock mode 600 level admin\n", "    hard-stop-after 900000ms\n",
        "    option idle-close-on-response\n", "defaults\n",
        "    bind *:443 ssl crt /etc/ssl/jitsi.pem alpn h2,http/1.1\n", "    bind *:80\n",
        "    option forwardfor\n", "X-Forwarded-Proto https if { ssl_fc }",
        "crc32,mod(65536),map_str(/etc/haproxy/bridgekeeper/buckets.map,bridgekeeper_no_shard)",
        "var(txn.bk_key),hex,map_str(/etc/haproxy/bridgekeeper/pins.map)", "backend bridgekeeper_no_shard\n",
        "backend shard_a\n", "    server a 10.0.0.1:443 check inter 10000ms fall 2 rise 3",
        "agent-check agent-port 6060", "ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt",
        // no port given: the TLS port
        "    server b shard-b.internal:443 check", "backend custom_backend\n", "# shard c has no address",
        "backend jitsi_static\n", "    default_backend jitsi_static\n", "timeout tunnel 3600000ms")) {
      assertTrue(cfg.contains(expected), () -> "missing '" + expected + "' in\n" + cfg);
    }
  }

  @Test
  void fragmentHasOnlyTheFrontendAndBackends() {
    String cfg = HaproxyConfig.builder().fragment(true).build().render(TOPOLOGY);
    assertFalse(cfg.contains("global"), cfg);
    assertFalse(cfg.contains("defaults"), cfg);
    assertTrue(cfg.contains("frontend fe_bridgekeeper\n    mode http\n"), cfg);
    assertTrue(cfg.contains("backend shard_a\n    mode http\n"), cfg);
  }

  @Test
  void aCompleteConfigurationNamesItselfAndShowInfoReportsIt() {
    HaproxyConfig config = HaproxyConfig.builder().build();
    String cfg = config.render(TOPOLOGY);
    String fingerprint = HaproxyConfig.fingerprint(cfg).orElseThrow();
    assertTrue(fingerprint.matches("[0-9a-f]{16}") && !fingerprint.equals("0".repeat(16)), fingerprint);
    assertTrue(cfg.contains("global\n    description bridgekeeper-config-" + fingerprint + "\n"), cfg);
    assertEquals(Optional.of(fingerprint), HaproxyConfig.runningFingerprint(
        "Name: HAProxy\nnode: lb-1\ndescription: bridgekeeper-config-" + fingerprint + "\nPid: 7\n"));
    assertEquals(Optional.empty(), HaproxyConfig.runningFingerprint("Name: HAProxy\nnode: lb-1\nPid: 7\n"));

    // Weights do not change the file (no reload), an address does.
    assertEquals(cfg, config.render(TOPOLOGY.withShardChanged("a", s -> s.withWeight(300))));
    String moved = config.render(TOPOLOGY.withShardChanged("a", s -> s.withAddress("10.0.0.9:443")));
    assertNotEquals(Optional.of(fingerprint), HaproxyConfig.fingerprint(moved));
    assertEquals(Optional.empty(), HaproxyConfig.fingerprint("global\n    description something else\n"));

    // Only global's line is filled in: a shard whose id looks like the placeholder keeps its id.
    String lookalike = "bridgekeeper-config-" + "0".repeat(16);
    String odd = config.render(Topology.builder().shard(new Shard(lookalike, 100, "", ShardState.ACTIVE,
        "10.0.0.1:443", null)).build());
    assertTrue(odd.contains("    server " + lookalike + " 10.0.0.1:443"), odd);
    assertNotEquals(Optional.of("0".repeat(16)), HaproxyConfig.fingerprint(odd));
  }

  @Test
  void aFragmentNamesItselfInAnEmptyBackend() {
    HaproxyConfig config = HaproxyConfig.builder().fragment(true).build();
    String cfg = config.render(TOPOLOGY);
    String fingerprint = HaproxyConfig.fingerprint(cfg).orElseThrow();
    assertTrue(fingerprint.matches("[0-9a-f]{16}") && !fingerprint.equals("0".repeat(16)), fingerprint);
    assertTrue(cfg.contains("\nbackend bridgekeeper_config_" + fingerprint + "\n"), cfg);
    assertTrue(HaproxyConfig.isFragmentText(cfg));
    assertFalse(HaproxyConfig.isFragmentText(HaproxyConfig.builder().build().render(TOPOLOGY)));
    assertFalse(config.declaredBackends(TOPOLOGY).stream().anyMatch(b -> b.startsWith("bridgekeeper_config_")),
        "maps never route to it");
    assertNotEquals(fingerprint, HaproxyConfig.fingerprint(HaproxyConfig.builder().build().render(TOPOLOGY))
        .orElseThrow(), "a fragment and a complete file differ");

    assertEquals(cfg, config.render(TOPOLOGY.withShardChanged("a", s -> s.withWeight(300))));
    assertNotEquals(Optional.of(fingerprint),
        HaproxyConfig.fingerprint(config.render(TOPOLOGY.withShardChanged("a", s -> s.withAddress("10.0.0.9:443")))));

    // The name is reserved: neither a shard's backend nor the static backend may take it.
    HaproxyConfigException taken = assertThrows(HaproxyConfigException.class, () -> config.render(Topology.builder()
        .shard(new Shard("x", 100, "", ShardState.ACTIVE, "10.0.0.1:443", "bridgekeeper_config_1")).build()));
    assertTrue(taken.getMessage().contains("bridgekeeper_config_1"), taken.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> HaproxyConfig.builder().staticBackend("bridgekeeper_config_x").build());
    assertThrows(IllegalArgumentException.class,
        () -> HaproxyConfig.builder().staticBackend(HaproxyConfig.NO_SHARD_BACKEND).build());
  }

  @Test
  void outputIsDeterministicAndIndependentOfWeightsStatesAndPins() {
    HaproxyConfig config = HaproxyConfig.builder().build();
    String a = config.render(TOPOLOGY);
    assertEquals(a, config.render(TOPOLOGY));
    Topology reweighted = TOPOLOGY.withWeight("a", 50).withState("b", ShardState.ACTIVE);
    assertEquals(a, config.render(reweighted.toBuilder().version(99).build()), "weights, states, versions");
    assertNotEquals(a, config.render(TOPOLOGY.withShard(Shard.of("d"))), "a new shard needs a new backend");
  }

  @Test
  void tenantInKeyAddsTheTenantToTheKey() {
    String cfg = HaproxyConfig.builder().build().render(TOPOLOGY.toBuilder()
        .roomKeys(TOPOLOGY.roomKeys().withTenantInKey(true)).build());
    assertTrue(cfg.contains("var(txn.bk_tenant),concat(/,txn.bk_room,)"), cfg);
  }

  @Test
  void optionsThatCannotBeRepresentedAreRefusedAtBuild() {
    for (Runnable bad : List.<Runnable>of(
        () -> HaproxyConfig.builder().bind("127.0.0.1:80\n    bind *:81").build(),
        () -> HaproxyConfig.builder().bind("127.0.0.1").build(),
        () -> HaproxyConfig.builder().bindTls("*:443", Path.of("/etc/ssl/my cert.pem")).build(),
        () -> HaproxyConfig.builder().mapDirectory(Path.of("/etc/haproxy/a\nb")).build(),
        () -> HaproxyConfig.builder().statsSocket(Optional.of(Path.of("/run/a;b.sock"))).build(),
        () -> HaproxyConfig.builder().healthCheckPath("/health check").build(),
        () -> HaproxyConfig.builder().healthCheckPath("/h\nx").build(),
        () -> HaproxyConfig.builder().logTarget(Optional.of("/dev/log local0\n    x")).build(),
        () -> HaproxyConfig.builder().staticBackend("bad name").build(),
        () -> HaproxyConfig.builder().staticServer("10.0.0.1:80 backup").build(),
        () -> HaproxyConfig.builder().serverTls(HaproxyConfig.ServerTls.VERIFY).build(),
        () -> HaproxyConfig.builder().agentPort(70_000).build(),
        () -> HaproxyConfig.builder().connectTimeout(Duration.ZERO).build(),
        () -> HaproxyConfig.builder().healthCheck(Duration.ofSeconds(1), 0, 1).build(),
        () -> HaproxyConfig.builder().maxConnections(0).build())) {
      assertThrows(IllegalArgumentException.class, bad::run);
    }
  }

  @Test
  void backendNamesMustNotCollideWithTheGeneratedOnes() {
    Topology clash = Topology.builder().shard(new Shard("s", 100, "", ShardState.ACTIVE, "", "jitsi_static")).build();
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> HaproxyConfig.builder().build().render(clash));
    assertTrue(e.getMessage().contains("jitsi_static"), e.getMessage());
  }

  @Test
  void haproxyRejectionWritesNothing(@TempDir Path dir) throws IOException {
    // haproxy -c fails on a TLS certificate that does not exist.
    HaproxyConfig config = HaproxyConfig.builder().bindTls("127.0.0.1:8443", dir.resolve("missing.pem"))
        .mapDirectory(dir).logTarget(Optional.empty()).build();
    // Not skipped when HAProxy is missing: ./run-tests installs it, and a skip would hide the check.
    HaproxyBinary.locate().orElseThrow(() -> new AssertionError("haproxy not installed: run ./run-tests"));
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> config.write(RoutingTable.of(TOPOLOGY), dir));
    assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void aHaproxyCheckThatHangsIsKilledAtItsDeadline(@TempDir Path dir) throws IOException {
    // Says something, then neither exits nor closes its output, as a haproxy stuck on a resolver might.
    Path hanging = dir.resolve("haproxy");
    Files.writeString(hanging, "#!/bin/sh\necho checking\nexec sleep 60\n");
    Files.setPosixFilePermissions(hanging, PosixFilePermissions.fromString("rwx------"));
    HaproxyConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
        HaproxyConfigException.class, () -> HaproxyBinary.check(hanging, dir.resolve("any.cfg"), Duration.ofMillis(300))));
    assertTrue(e.getMessage().contains("did not finish within 300 ms") && e.getMessage().contains("checking"),
        e.getMessage());
  }

  @Test
  void writesMapsAndConfiguration(@TempDir Path dir) throws IOException {
    HaproxyConfig config = HaproxyConfig.builder().mapDirectory(dir).logTarget(Optional.empty()).fragment(true).build();
    Path cfg = config.write(RoutingTable.of(TOPOLOGY), dir);
    assertEquals(dir.resolve("bridgekeeper.cfg"), cfg);
    assertEquals(config.render(TOPOLOGY), Files.readString(cfg));
    assertEquals(HaproxyMaps.bucketsMap(RoutingTable.of(TOPOLOGY)), Files.readString(dir.resolve("buckets.map")));
    assertTrue(Files.exists(dir.resolve("pins.map")));
  }
}
