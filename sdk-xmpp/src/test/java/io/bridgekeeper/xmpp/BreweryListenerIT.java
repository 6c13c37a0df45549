package io.bridgekeeper.xmpp;

import static io.bridgekeeper.xmpp.FakeXmppBridge.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgeHealthConfig;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The brewery listener against a real Prosody on 127.0.0.1, with fake bridges speaking Smack:
 * join, stats updates, leaving, dying abruptly, freezing, several breweries, hostile stats, a
 * brewery that does not exist yet, a Prosody restart the listener survives, a session the server
 * ends cleanly, a kick out of the brewery, a network path that goes dead, and repeated unavailable
 * presences. The pool's clock is a test clock; network waits poll for the expected state with a
 * deadline.
 */
class BreweryListenerIT {
  static final String BREWERY = "jvbbrewery@" + ProsodyProcess.MUC;
  static final String BREWERY_B = "jvbbrewery-b@" + ProsodyProcess.MUC;

  @TempDir Path dir;
  ProsodyProcess prosody;
  final MutableClock clock = MutableClock.atEpoch();
  final BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
  BreweryListener listener;

  @BeforeEach
  void startProsody() throws Exception {
    prosody = ProsodyProcess.start(dir);
  }

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
    prosody.close();
  }

  BreweryListener listen(String... sourceAndJid) {
    return listen(UnaryOperator.identity(), sourceAndJid);
  }

  BreweryListener listen(UnaryOperator<BreweryListener.Builder> tweak, String... sourceAndJid) {
    BreweryListener.Builder b = BreweryListener.builder().xmppDomain(ProsodyProcess.DOMAIN)
        .host("127.0.0.1", prosody.port).credentials("observer", "obspass").nickname("observer")
        .insecurePlaintextForLoopbackTests().pool(pool).backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).leaveGrace(Duration.ofMillis(500));
    for (int i = 0; i < sourceAndJid.length; i += 2) {
      b.brewery(sourceAndJid[i], sourceAndJid[i + 1]);
    }
    listener = tweak.apply(b).build();
    listener.start();
    return listener;
  }

  Optional<Bridge> bridge(String id) {
    return pool.snapshot().bridge(id);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(what, condition, Duration.ofSeconds(15));
  }

  static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  static Map<String, String> healthy(double stress) {
    return stats("stress_level", Double.toString(stress), "drain", "false", "region", "eu", "version", "2.3",
        "endpoints", "4");
  }

  @Test
  void bridgesJoinUpdateLeaveAndDie() throws Exception {
    try (FakeXmppBridge early = new FakeXmppBridge(prosody.port, "jvb-early").join(BREWERY, healthy(0.1))) {
      listen("shard-a", BREWERY);
      await("the bridge that was there first", () -> bridge("jvb-early").isPresent());
      assertEquals(BridgeState.HEALTHY, bridge("jvb-early").orElseThrow().state());
      assertEquals(4, bridge("jvb-early").orElseThrow().participants().getAsInt());

      try (FakeXmppBridge late = new FakeXmppBridge(prosody.port, "jvb-late").join(BREWERY, healthy(0.2))) {
        await("a bridge joining later", () -> bridge("jvb-late").isPresent());
        late.publish(healthy(0.95));
        await("its update", () -> bridge("jvb-late").map(b -> b.state() == BridgeState.OVERLOADED).orElse(false));
        late.publish(stats("stress_level", "0.3", "drain", "false", "graceful_shutdown", "true"));
        await("graceful shutdown", () -> bridge("jvb-late").map(b -> b.state() == BridgeState.GRACEFUL_SHUTDOWN)
            .orElse(false));
        late.leave();
        await("its leaving", () -> bridge("jvb-late").isEmpty());
      }
      early.kill();
      await("the killed bridge's unavailable presence, sent by Prosody", () -> bridge("jvb-early").isEmpty());
    }
  }

  @Test
  void aFrozenBridgeIsLostAfterThePresenceTimeout() throws Exception {
    listen("shard-a", BREWERY);
    try (FakeXmppBridge frozen = new FakeXmppBridge(prosody.port, "jvb-frozen").join(BREWERY, healthy(0.1));
        FakeXmppBridge alive = new FakeXmppBridge(prosody.port, "jvb-alive").join(BREWERY, healthy(0.1))) {
      await("both bridges", () -> bridge("jvb-frozen").isPresent() && bridge("jvb-alive").isPresent());
      // jvb-frozen keeps its TCP connection but says nothing more; jvb-alive publishes every "5 s".
      for (int i = 0; i < 10; i++) {
        clock.advance(Duration.ofSeconds(5));
        Instant sent = clock.instant();
        alive.publish(healthy(0.1 + i / 100.0));
        await("jvb-alive's presence", () -> bridge("jvb-alive").map(b -> !b.lastPresence().isBefore(sent)).orElse(false));
      }
      pool.refresh();
      assertEquals(BridgeState.LOST, bridge("jvb-frozen").orElseThrow().state());
      assertEquals(BridgeState.HEALTHY, bridge("jvb-alive").orElseThrow().state());
      frozen.publish(healthy(0.1));
      await("the frozen bridge back", () -> bridge("jvb-frozen").map(b -> b.state() == BridgeState.HEALTHY)
          .orElse(false));
    }
  }

  @Test
  void bridgesInSeveralBreweriesAreOneBridge() throws Exception {
    listen("shard-a", BREWERY, "shard-b", BREWERY_B);
    try (FakeXmppBridge a = new FakeXmppBridge(prosody.port, "jvb-shared").join(BREWERY, healthy(0.1));
        FakeXmppBridge b = new FakeXmppBridge(prosody.port, "jvb-shared-b")) {
      // The same bridge (same nickname) in a second brewery, over a second connection.
      MultiBrewery.joinAs(b, BREWERY_B, "jvb-shared", healthy(0.1));
      await("the bridge in both breweries", () -> bridge("jvb-shared").map(x -> x.sources().size() == 2).orElse(false));
      assertEquals(Set.of("shard-a", "shard-b"), bridge("jvb-shared").orElseThrow().sources());
      assertEquals(1, pool.snapshot().bridges().size());
      a.leave();
      await("it left shard-a", () -> bridge("jvb-shared").map(x -> x.sources().equals(Set.of("shard-b"))).orElse(false));
    }
  }

  @Test
  void hostileStatsCostOnlyThatBridgesUpdate() throws Exception {
    listen("shard-a", BREWERY);
    try (FakeXmppBridge bad = new FakeXmppBridge(prosody.port, "jvb-bad").join(BREWERY, healthy(0.1));
        FakeXmppBridge good = new FakeXmppBridge(prosody.port, "jvb-good").join(BREWERY, healthy(0.1))) {
      await("both", () -> bridge("jvb-bad").isPresent() && bridge("jvb-good").isPresent());
      Map<String, String> huge = new LinkedHashMap<>();
      for (int i = 0; i < 2000; i++) {
        huge.put("stat_" + i, "1");
      }
      for (Map<String, String> hostile : java.util.List.of(
          stats("stress_level", "NaN", "drain", "false"), stats("stress_level", "lots", "drain", "false"),
          stats("stress_level", "0.1", "endpoints", "-5", "drain", "false"), huge)) {
        bad.publish(hostile);
      }
      // The same stat twice, and a presence without stats (jicofo ignores those).
      org.jivesoftware.smack.packet.StandardExtensionElement.Builder dup = org.jivesoftware.smack.packet
          .StandardExtensionElement.builder(ColibriStatsElement.ELEMENT, ColibriStatsElement.NAMESPACE);
      for (String v : new String[] {"0.1", "0.9"}) {
        dup.addElement(org.jivesoftware.smack.packet.StandardExtensionElement.builder("stat", ColibriStatsElement.NAMESPACE)
            .addAttribute("name", "stress_level").addAttribute("value", v).build());
      }
      bad.publishRaw(dup.build());
      bad.publishRaw(null);
      bad.publish(healthy(0.95));
      good.publish(healthy(0.5));
      await("the good bridge's update", () -> bridge("jvb-good").flatMap(b -> b.stats())
          .map(s -> s.stressLevel().getAsDouble() == 0.5).orElse(false));
      await("the bad bridge's next believable update", () -> bridge("jvb-bad").map(b -> b.state() == BridgeState.OVERLOADED)
          .orElse(false));
      assertTrue(listener.connected(), "the listener's connection survived");
      assertEquals(BridgeState.HEALTHY, bridge("jvb-good").orElseThrow().state());
    }
  }

  @Test
  void aBreweryThatDoesNotExistYetIsJoinedOnceABridgeCreatesIt() throws Exception {
    String restricted = "jvbbrewery@" + ProsodyProcess.RESTRICTED_MUC;
    listen("shard-r", restricted);
    await("the connection", () -> listener.connected());
    Thread.sleep(300); // a few refused joins (not-allowed: only the bridges' account may create the room)
    assertTrue(listener.joined().isEmpty());
    try (FakeXmppBridge creator = new FakeXmppBridge(prosody.port, "jvb-creator").join(restricted, healthy(0.1))) {
      await("the retried join", () -> listener.joined().contains(restricted));
      await("the bridge", () -> bridge("jvb-creator").isPresent());
    }
  }

  @Test
  void theListenerSurvivesAProsodyRestart() throws Exception {
    listen("shard-a", BREWERY);
    FakeXmppBridge before = new FakeXmppBridge(prosody.port, "jvb1").join(BREWERY, healthy(0.1));
    await("the bridge", () -> bridge("jvb1").isPresent());
    prosody.restart();
    before.close();
    await("the reconnect and re-join", () -> listener.joined().contains(BREWERY) && listener.connected());
    assertTrue(bridge("jvb1").isPresent(), "kept until its presence timeout");
    clock.advance(Duration.ofSeconds(10));
    Instant afterRestart = clock.instant();
    try (FakeXmppBridge again = new FakeXmppBridge(prosody.port, "jvb1").join(BREWERY, healthy(0.2))) {
      await("the bridge re-learnt", () -> bridge("jvb1").map(b -> !b.lastPresence().isBefore(afterRestart)).orElse(false));
      assertEquals(BridgeState.HEALTHY, bridge("jvb1").orElseThrow().state());
    }
  }

  @Test
  void aSessionTheServerEndsCleanlyIsReconnectedAndReJoined() throws Exception {
    listen("shard-a", BREWERY);
    await("joined", () -> listener.connected() && listener.joined().contains(BREWERY));
    // A plain </stream:stream>, no stream error: Smack reports it as closed, not closed on error.
    String said = prosody.shell("c2s:close('observer@" + ProsodyProcess.DOMAIN + "')");
    assertTrue(said.contains("Total: 1 sessions closed"), said);
    try (FakeXmppBridge late = new FakeXmppBridge(prosody.port, "jvb-late").join(BREWERY, healthy(0.1))) {
      await("a bridge joining afterwards", () -> bridge("jvb-late").isPresent());
    }
  }

  @Test
  void anObserverKickedOutOfTheBreweryJoinsItAgain() throws Exception {
    XMPPTCPConnection owner = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
        .setXmppDomain(ProsodyProcess.DOMAIN).setHost("127.0.0.1").setPort(prosody.port)
        .setUsernameAndPassword("jvb", "jvbpass").setResource("owner").setSecurityMode(SecurityMode.disabled).build());
    try {
      owner.connect().login();
      MultiUserChat room = MultiUserChatManager.getInstanceFor(owner).getMultiUserChat(JidCreate.entityBareFrom(BREWERY));
      room.createOrJoin(Resourcepart.from("owner"));
      List<Presence.Type> observer = new CopyOnWriteArrayList<>();
      room.addParticipantListener(p -> {
        if (p.getFrom().getResourceOrEmpty().toString().equals("observer")) {
          observer.add(p.getType());
        }
      });
      listen("shard-a", BREWERY);
      await("joined", () -> listener.joined().contains(BREWERY) && observer.contains(Presence.Type.available));
      room.kickParticipant(Resourcepart.from("observer"), "testing");
      await("out of the brewery and back in", () -> observer.lastIndexOf(Presence.Type.available)
          > observer.indexOf(Presence.Type.unavailable) && observer.contains(Presence.Type.unavailable)
          && listener.joined().contains(BREWERY));
      try (FakeXmppBridge late = new FakeXmppBridge(prosody.port, "jvb-late").join(BREWERY, healthy(0.1))) {
        await("a bridge joining after the kick", () -> bridge("jvb-late").isPresent());
      }
    } finally {
      owner.disconnect();
    }
  }

  @Test
  void aNetworkPathThatGoesDeadIsNoticedByPingAndReplaced() throws Exception {
    try (BlackholeRelay relay = new BlackholeRelay(prosody.port)) {
      listen(b -> b.host("127.0.0.1", relay.port()).pingInterval(Duration.ofSeconds(1)), "shard-a", BREWERY);
      await("joined", () -> listener.connected() && listener.joined().contains(BREWERY));
      relay.blackholeExisting();
      try (FakeXmppBridge late = new FakeXmppBridge(prosody.port, "jvb-late").join(BREWERY, healthy(0.1))) {
        // Without pings the socket stays open and silent for as long as TCP keeps it (minutes).
        await("a new connection (through the relay) that hears the bridge", () -> bridge("jvb-late").isPresent(),
            Duration.ofSeconds(20));
      }
      assertTrue(listener.connected());
      listener.close(); // while its new path is still there to say goodbye over
    }
  }

  @Test
  void aBridgeBackAfterTwoUnavailablePresencesStays() throws Exception {
    listen("shard-a", BREWERY);
    try (FakeXmppBridge flappy = new FakeXmppBridge(prosody.port, "jvb-flappy").join(BREWERY, healthy(0.1))) {
      await("the bridge", () -> bridge("jvb-flappy").isPresent());
      BreweryListener.Brewery brewery = new BreweryListener.Brewery("shard-a", BREWERY);
      Presence gone = StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable)
          .from(JidCreate.from(BREWERY + "/jvb-flappy")).build();
      // Two leaves within the grace period, then the bridge speaks again: neither leave may count.
      listener.presence(brewery, gone);
      listener.presence(brewery, gone);
      flappy.publish(healthy(0.2));
      await("its new stats", () -> bridge("jvb-flappy").flatMap(b -> b.stats())
          .map(st -> st.stressLevel().getAsDouble() == 0.2).orElse(false));
      Thread.sleep(1500); // three leave grace periods: no timer the test could drive
      assertTrue(bridge("jvb-flappy").isPresent(), "the first leave was not forgotten");
    }
  }
}
