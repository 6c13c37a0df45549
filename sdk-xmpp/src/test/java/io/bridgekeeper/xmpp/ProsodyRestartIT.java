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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability: Prosody restarts under a pool of three bridges (one healthy, one draining, one
 * that will not come back). Through the restart the pool keeps every bridge in its state — the
 * burst of unavailable presences a stopping server sends is not taken as the bridges leaving — until
 * its presence timeout passes on the pool's clock; the bridges that re-join are re-learnt with
 * their new stats, the one that does not is LOST exactly after the timeout, and is re-learnt too
 * when it finally comes back.
 */
class ProsodyRestartIT {
  static final String BREWERY = "jvbbrewery@" + ProsodyProcess.MUC;

  @TempDir Path dir;

  static Map<String, String> reporting(double stress, boolean drain) {
    return stats("stress_level", Double.toString(stress), "drain", Boolean.toString(drain), "region", "eu",
        "version", "2.3", "endpoints", "4");
  }

  @Test
  void thePoolKeepsBridgesUntilTheirTimeoutThenReLearnsThem() throws Exception {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    List<BridgePool.Change> changes = new CopyOnWriteArrayList<>();
    Duration timeout = pool.config().presenceTimeout();
    try (ProsodyProcess prosody = ProsodyProcess.start(dir);
        BreweryListener listener = BreweryListener.builder().xmppDomain(ProsodyProcess.DOMAIN)
            .host("127.0.0.1", prosody.port).credentials("observer", "obspass").nickname("observer")
            .insecurePlaintextForLoopbackTests().pool(pool).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
            .leaveGrace(Duration.ofMillis(500)).brewery("shard-a", BREWERY).build()) {
      listener.start();
      FakeXmppBridge a = new FakeXmppBridge(prosody.port, "jvb-a").join(BREWERY, reporting(0.1, false));
      FakeXmppBridge b = new FakeXmppBridge(prosody.port, "jvb-b").join(BREWERY, reporting(0.2, true));
      FakeXmppBridge c = new FakeXmppBridge(prosody.port, "jvb-c").join(BREWERY, reporting(0.3, false));
      BreweryListenerIT.await("three bridges", () -> state(pool, "jvb-a") == BridgeState.HEALTHY
          && state(pool, "jvb-b") == BridgeState.DRAINING && state(pool, "jvb-c") == BridgeState.HEALTHY);
      Instant lastHeard = clock.instant();
      pool.addListener(changes::add);

      prosody.restart();
      a.close();
      b.close();
      c.close();
      BreweryListenerIT.await("the listener back in the brewery", () -> listener.connected()
          && listener.joined().contains(BREWERY), Duration.ofSeconds(30));

      // Still within the timeout: every bridge kept, in its state; nothing left or was lost.
      clock.advance(timeout.minusSeconds(15));
      pool.refresh();
      assertEquals(BridgeState.HEALTHY, state(pool, "jvb-a"));
      assertEquals(BridgeState.DRAINING, state(pool, "jvb-b"));
      assertEquals(BridgeState.HEALTHY, state(pool, "jvb-c"));
      assertTrue(changes.isEmpty(), () -> "changes during the restart: " + changes);

      // Two bridges re-join with new stats: re-learnt.
      Instant rejoin = clock.instant();
      try (FakeXmppBridge a2 = new FakeXmppBridge(prosody.port, "jvb-a").join(BREWERY, reporting(0.95, false));
          FakeXmppBridge b2 = new FakeXmppBridge(prosody.port, "jvb-b").join(BREWERY, reporting(0.2, false))) {
        BreweryListenerIT.await("a and b re-learnt", () -> heardSince(pool, "jvb-a", rejoin)
            && heardSince(pool, "jvb-b", rejoin));
        assertEquals(BridgeState.OVERLOADED, state(pool, "jvb-a"), "its new stats");
        assertEquals(BridgeState.HEALTHY, state(pool, "jvb-b"), "no longer draining");

        // The timeout passes for c, not for the others.
        clock.set(lastHeard.plus(timeout).plusSeconds(1));
        pool.refresh();
        assertEquals(BridgeState.LOST, state(pool, "jvb-c"));
        assertEquals(BridgeState.OVERLOADED, state(pool, "jvb-a"));
        assertEquals(BridgeState.HEALTHY, state(pool, "jvb-b"));

        // c comes back: re-learnt from LOST.
        Instant back = clock.instant();
        try (FakeXmppBridge c2 = new FakeXmppBridge(prosody.port, "jvb-c").join(BREWERY, reporting(0.3, false))) {
          BreweryListenerIT.await("c re-learnt", () -> heardSince(pool, "jvb-c", back)
              && state(pool, "jvb-c") == BridgeState.HEALTHY);
          assertTrue(changes.stream().noneMatch(ch -> ch.after().isEmpty()), () -> "a bridge was removed: " + changes);
        }
      }
    }
  }

  private static BridgeState state(BridgePool pool, String id) {
    return pool.snapshot().bridge(id).map(Bridge::state).orElse(null);
  }

  private static boolean heardSince(BridgePool pool, String id, Instant since) {
    Optional<Bridge> b = pool.snapshot().bridge(id);
    return b.isPresent() && !b.get().lastPresence().isBefore(since);
  }
}
