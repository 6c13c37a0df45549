package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** jicofo's filters hold for any pool, whatever the strategy: never a dead, failing or foreign-version bridge. */
class BridgeSelectorProperties {
  record Spec(double stress, boolean drain, boolean graceful, boolean shutting, boolean failed, String region,
      String version) {}

  @Provide
  Arbitrary<List<Spec>> pools() {
    return Combinators.combine(Arbitraries.of(0.0, 0.1, 0.4, 0.79, 0.8, 1.2), Arbitraries.of(true, false, false),
        Arbitraries.of(true, false, false, false), Arbitraries.of(true, false, false, false, false),
        Arbitraries.of(true, false, false, false), Arbitraries.of("eu", "us", "ap"), Arbitraries.of("2.3", "2.3", "2.4"))
        .as(Spec::new).list().ofMinSize(0).ofMaxSize(8);
  }

  @Provide
  Arbitrary<BridgeSelectionStrategy> strategies() {
    return Arbitraries.of(BridgeSelectionStrategy.singleBridge(), BridgeSelectionStrategy.regionBased(),
        BridgeSelectionStrategy.intraRegion());
  }

  @Property(tries = 1000)
  void aNewConferenceGetsALegalBridge(@ForAll("pools") List<Spec> specs, @ForAll("strategies") BridgeSelectionStrategy s,
      @ForAll("regions") Optional<String> region, @ForAll("versions") Optional<String> version) {
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), MutableClock.atEpoch());
    for (int i = 0; i < specs.size(); i++) {
      Spec spec = specs.get(i);
      Map<String, String> stats = new HashMap<>(Map.of("stress_level", Double.toString(spec.stress()),
          "drain", Boolean.toString(spec.drain()), "graceful_shutdown", Boolean.toString(spec.graceful()),
          "shutting_down", Boolean.toString(spec.shutting()), "region", spec.region(), "version", spec.version()));
      pool.presence("brewery", "jvb" + i, Optional.of(BridgeStats.parse(stats)));
      if (spec.failed()) {
        pool.healthCheck("jvb" + i, HealthCheck.FAILED);
      }
    }
    BridgeSelector selector = BridgeSelector.builder().strategy(s).localRegion("eu").multiBridge(true).build();
    PoolSnapshot snapshot = pool.snapshot();
    Optional<Bridge> chosen = selector.select(snapshot, Map.of(), region, version);
    List<Bridge> legal = snapshot.bridges().stream().filter(Bridge::operational).filter(b -> !b.shuttingDown())
        .filter(b -> version.isEmpty() || version.get().equals(b.fullVersion())).toList();
    if (chosen.isEmpty()) {
      // Only intra-region may come back empty-handed with legal bridges around... and it does not for new
      // conferences (it falls back to the least loaded), so: empty means nothing was legal.
      assertTrue(legal.isEmpty(), () -> "nothing chosen among " + legal);
      return;
    }
    Bridge b = chosen.get();
    assertTrue(legal.contains(b), () -> b + " is not legal");
    if (legal.stream().anyMatch(x -> !x.draining())) {
      assertTrue(!b.draining(), "draining chosen while a bridge that is not draining was available");
    }
    if (s == BridgeSelectionStrategy.singleBridge() && region.isEmpty()) {
      // No region: exactly the best of the preferred class.
      List<Bridge> preferred = legal.stream().filter(x -> !x.draining()).toList();
      List<Bridge> pool2 = preferred.isEmpty() ? legal : preferred;
      List<Bridge> running = pool2.stream().filter(x -> !x.gracefulShutdown()).toList();
      List<Bridge> finalists = running.isEmpty() ? pool2 : running;
      Bridge best = finalists.stream().min(Comparator.comparingDouble((Bridge x) -> x.correctedStress().orElse(9))
          .thenComparing(Bridge::id)).orElseThrow();
      assertEquals(best.id(), b.id());
    }
  }

  @Provide
  Arbitrary<Optional<String>> regions() {
    return Arbitraries.of("eu", "us", "ap", "sa").optional(0.7);
  }

  @Provide
  Arbitrary<Optional<String>> versions() {
    return Arbitraries.of("2.3", "2.4").optional(0.3);
  }
}
