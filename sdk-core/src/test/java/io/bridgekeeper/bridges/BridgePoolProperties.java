package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random event sequences against the pool — presences with random stats, health checks, placed
 * participants, leaving and rejoining, time passing — and the state-machine invariants afterwards
 * and after every step: every change the listeners saw is in the transition table, the latched
 * flags never unlatch, LOST means exactly "silent for longer than the timeout", and a snapshot
 * agrees with the changes reported so far.
 */
class BridgePoolProperties {
  sealed interface Event permits Presence, Check, Added, Left, Tick {}

  record Presence(String source, String bridge, Optional<Map<String, String>> stats) implements Event {}

  record Check(String bridge, HealthCheck result) implements Event {}

  record Added(String bridge, int count) implements Event {}

  record Left(String source, String bridge) implements Event {}

  record Tick(Duration d) implements Event {}

  private static final List<String> BRIDGES = List.of("jvb1", "jvb2", "jvb3");
  private static final List<String> SOURCES = List.of("shard-a", "shard-b");

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<String> bridge = Arbitraries.of(BRIDGES);
    Arbitrary<String> source = Arbitraries.of(SOURCES);
    Arbitrary<Map<String, String>> stats = Combinators.combine(
        Arbitraries.of("0", "0.1", "0.5", "0.79", "0.8", "1.3", ""),
        Arbitraries.of("true", "false", ""),
        Arbitraries.of("true", "false", "", "false", "false"),
        Arbitraries.of("true", "false", "", "false", "false", "false"),
        Arbitraries.of("true", "false", ""))
        .as((stress, drain, graceful, shutting, healthy) -> {
          Map<String, String> m = new HashMap<>();
          put(m, "stress_level", stress);
          put(m, "drain", drain);
          put(m, "graceful_shutdown", graceful);
          put(m, "shutting_down", shutting);
          put(m, "healthy", healthy);
          return m;
        });
    Arbitrary<Event> presence = Combinators.combine(source, bridge, stats.optional(0.8)).as(Presence::new);
    Arbitrary<Event> check = Combinators.combine(bridge, Arbitraries.of(HealthCheck.class)).as(Check::new);
    Arbitrary<Event> added = Combinators.combine(bridge, Arbitraries.integers().between(0, 40)).as(Added::new);
    Arbitrary<Event> left = Combinators.combine(source, bridge).as(Left::new);
    Arbitrary<Event> tick = Arbitraries.of(1, 5, 15, 30, 46, 61, 700).map(s -> new Tick(Duration.ofSeconds(s)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, presence), net.jqwik.api.Tuple.of(2, check), net.jqwik.api.Tuple.of(2, added),
        net.jqwik.api.Tuple.of(1, left), net.jqwik.api.Tuple.of(4, tick)).list().ofMaxSize(80);
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (!v.isEmpty()) {
      m.put(k, v);
    }
  }

  @Property(tries = 500)
  void everyObservedChangeIsLegalAndLatchesHold(@ForAll("events") List<Event> events) {
    MutableClock clock = MutableClock.atEpoch();
    BridgeHealthConfig config = BridgeHealthConfig.defaults();
    BridgePool pool = BridgePool.create(config, clock);
    Map<String, BridgeState> reported = new HashMap<>();
    List<String> illegal = new ArrayList<>();
    pool.addListener(c -> {
      BridgeState before = reported.get(c.bridgeId());
      if (!c.before().equals(Optional.ofNullable(before))) {
        illegal.add(c + " but the last reported state was " + before);
      }
      if (c.before().isPresent() && c.after().isPresent() && !c.before().get().canMoveTo(c.after().get())) {
        illegal.add("illegal " + c);
      }
      c.after().ifPresentOrElse(a -> reported.put(c.bridgeId(), a), () -> reported.remove(c.bridgeId()));
    });
    Map<String, Instant> lastHeard = new HashMap<>();
    Set<String> graceful = new HashSet<>();
    Set<String> shutting = new HashSet<>();
    for (Event e : events) {
      if (e instanceof Presence p) {
        pool.presence(p.source(), p.bridge(), p.stats().map(BridgeStats::parse));
        lastHeard.put(p.bridge(), clock.instant());
        p.stats().ifPresent(s -> {
          if ("true".equals(s.get("graceful_shutdown"))) {
            graceful.add(p.bridge());
          }
          if ("true".equals(s.get("shutting_down"))) {
            shutting.add(p.bridge());
          }
        });
      } else if (e instanceof Check c) {
        pool.healthCheck(c.bridge(), c.result());
      } else if (e instanceof Added a) {
        pool.participantsAdded(a.bridge(), a.count());
      } else if (e instanceof Left l) {
        pool.left(l.source(), l.bridge());
      } else if (e instanceof Tick t) {
        clock.advance(t.d());
        pool.refresh();
      }
      PoolSnapshot snapshot = pool.snapshot();
      for (Bridge b : snapshot.bridges()) {
        Duration silent = Duration.between(lastHeard.get(b.id()), snapshot.at());
        assertEquals(silent.compareTo(config.presenceTimeout()) > 0, b.state() == BridgeState.LOST,
            () -> b + " silent for " + silent);
        if (b.state() != BridgeState.LOST && shutting.contains(b.id())) {
          assertEquals(BridgeState.SHUTTING_DOWN, b.state(), "shutting_down latches");
        }
        if (graceful.contains(b.id())) {
          assertTrue(b.gracefulShutdown());
          assertTrue(!Set.of(BridgeState.STARTING, BridgeState.HEALTHY, BridgeState.OVERLOADED, BridgeState.DRAINING)
              .contains(b.state()), () -> "graceful_shutdown latches: " + b);
        }
      }
      // Removed bridges forget their latches: a bridge that comes back is a new bridge.
      Set<String> present = new HashSet<>();
      snapshot.bridges().forEach(b -> present.add(b.id()));
      graceful.retainAll(present);
      shutting.retainAll(present);
      lastHeard.keySet().retainAll(present);
    }
    assertEquals(List.of(), illegal);
    pool.refresh();
    Map<String, BridgeState> now = new HashMap<>();
    pool.snapshot().bridges().forEach(b -> now.put(b.id(), b.state()));
    assertEquals(now, reported, "after a refresh, the listeners have seen every bridge's current state");
  }

  @Property(tries = 200)
  void correctedStressIsReportedPlusRecentParticipants(
      @ForAll("addedCounts") @Size(max = 30) List<Integer> added) {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    pool.presence("s", "jvb", Optional.of(BridgeStats.parse(Map.of("stress_level", "0.2", "drain", "false",
        "average_participant_stress", "0.005"))));
    List<Instant> at = new ArrayList<>();
    for (int n : added) {
      pool.participantsAdded("jvb", n);
      at.add(clock.instant());
      clock.advance(Duration.ofSeconds(3));
      pool.presence("s", "jvb", Optional.empty());
    }
    Instant now = clock.instant();
    int recent = 0;
    for (int i = 0; i < added.size(); i++) {
      if (at.get(i).isAfter(now.minusSeconds(20))) {
        recent += added.get(i);
      }
    }
    Bridge b = pool.snapshot().bridge("jvb").orElseThrow();
    assertEquals(recent, b.recentlyAddedParticipants());
    assertEquals(0.2 + recent * 0.005, b.correctedStress().getAsDouble(), 1e-9);
    assertEquals(0.2 + recent * 0.005 >= 0.8, b.state() == BridgeState.OVERLOADED);
  }

  @Provide
  Arbitrary<List<Integer>> addedCounts() {
    return Arbitraries.integers().between(0, 60).list();
  }
}
