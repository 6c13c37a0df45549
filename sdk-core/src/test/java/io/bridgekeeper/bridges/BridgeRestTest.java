package io.bridgekeeper.bridges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The REST client, the poller and bridge control against loopback fake bridges. */
class BridgeRestTest {
  final BridgeRestClient client = BridgeRestClient.create(Duration.ofMillis(300));

  @Test
  void readsHealthAndStatsAndSaysWhatWentWrong() throws Exception {
    try (FakeBridge bridge = FakeBridge.start()) {
      BridgeEndpoint e = bridge.endpoint("jvb1");
      assertEquals(HealthCheck.PASSED, client.health(e).join());
      assertInstanceOf(BridgeRestClient.StatsResult.Ok.class, client.stats(e).join());
      bridge.mode(FakeBridge.Mode.UNHEALTHY);
      assertEquals(HealthCheck.FAILED, client.health(e).join());
      bridge.mode(FakeBridge.Mode.GARBAGE);
      assertInstanceOf(BridgeRestClient.StatsResult.Garbage.class, client.stats(e).join());
      bridge.mode(FakeBridge.Mode.ERRORS);
      assertEquals(BridgeRestClient.Outcome.ERROR_STATUS,
          ((BridgeRestClient.StatsResult.Failed) client.stats(e).join()).outcome());
      bridge.mode(FakeBridge.Mode.SLOW);
      assertEquals(HealthCheck.TIMED_OUT, client.health(e).join());
      assertEquals(BridgeRestClient.Outcome.TIMED_OUT,
          ((BridgeRestClient.StatsResult.Failed) client.stats(e).join()).outcome());
      bridge.stats("{\"stress_level\": \"NaN\"}");
      bridge.mode(FakeBridge.Mode.NORMAL);
      BridgeRestClient.StatsResult nan = client.stats(e).join();
      assertTrue(((BridgeRestClient.StatsResult.Garbage) nan).problem().contains("stress_level"), nan.toString());
    }
    BridgeEndpoint closed = new BridgeEndpoint("gone", URI.create("http://127.0.0.1:" + closedPort()));
    assertEquals(HealthCheck.FAILED, client.health(closed).join());
    assertEquals(BridgeRestClient.Outcome.UNREACHABLE,
        ((BridgeRestClient.StatsResult.Failed) client.stats(closed).join()).outcome());
  }

  @Test
  void drainsAndShutsDownWithTypedResults() throws Exception {
    try (FakeBridge bridge = FakeBridge.start()) {
      BridgeEndpoint e = bridge.endpoint("jvb1");
      assertEquals(new BridgeRestClient.ControlResult.Done(200), client.drain(e, true).join());
      assertEquals(new BridgeRestClient.ControlResult.Done(200), client.drain(e, false).join());
      assertEquals(new BridgeRestClient.ControlResult.Done(200), client.shutdown(e, true).join());
      assertEquals(List.of("POST /colibri/drain/enable", "POST /colibri/drain/disable",
          "POST /colibri/shutdown {\"graceful-shutdown\": true}"), bridge.controls());
      bridge.mode(FakeBridge.Mode.ERRORS);
      assertEquals(503, ((BridgeRestClient.ControlResult.Refused) client.drain(e, true).join()).status());
      bridge.mode(FakeBridge.Mode.SLOW);
      assertEquals(BridgeRestClient.Outcome.TIMED_OUT,
          ((BridgeRestClient.ControlResult.Unreachable) client.shutdown(e, true).join()).outcome());
    }
    BridgeEndpoint closed = new BridgeEndpoint("gone", URI.create("http://127.0.0.1:" + closedPort()));
    assertEquals(BridgeRestClient.Outcome.UNREACHABLE,
        ((BridgeRestClient.ControlResult.Unreachable) client.drain(closed, true).join()).outcome());
  }

  @Test
  void thePollerFeedsThePoolAndBacksOffFromFailingBridges() throws Exception {
    MutableClock clock = MutableClock.atEpoch();
    BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), clock);
    try (FakeBridge good = FakeBridge.start(); FakeBridge sick = FakeBridge.start();
        FakeBridge garbage = FakeBridge.start(); FakeBridge slow = FakeBridge.start()) {
      sick.mode(FakeBridge.Mode.UNHEALTHY);
      garbage.mode(FakeBridge.Mode.GARBAGE);
      slow.mode(FakeBridge.Mode.SLOW);
      List<BridgeEndpoint> endpoints = new ArrayList<>(List.of(good.endpoint("good"), sick.endpoint("sick"),
          garbage.endpoint("garbage"), slow.endpoint("slow")));
      BridgeRestPoller poller = BridgeRestPoller.builder().client(client).pool(pool).clock(clock)
          .endpoints(() -> List.copyOf(endpoints)).interval(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(40))
          .build();
      BridgeRestPoller.Round first = poller.pollOnce();
      assertEquals(new BridgeRestPoller.Round(4, 3, 0), first);
      PoolSnapshot s = pool.snapshot();
      assertEquals(BridgeState.HEALTHY, s.bridge("good").orElseThrow().state());
      assertEquals(BridgeState.UNHEALTHY, s.bridge("sick").orElseThrow().state());
      assertEquals(BridgeState.STARTING, s.bridge("garbage").orElseThrow().state(), "alive, stats unbelievable");
      assertTrue(s.bridge("slow").isEmpty(), "never answered: never seen");

      // Failing bridges wait 10 s, then 20 s, then 40 s (the cap); the good one is polled every 5 s.
      int sickBefore = sick.requests();
      clock.advance(Duration.ofSeconds(5));
      assertEquals(new BridgeRestPoller.Round(1, 0, 3), poller.pollOnce());
      assertEquals(sickBefore, sick.requests());
      clock.advance(Duration.ofSeconds(5));
      assertEquals(4, poller.pollOnce().polled());
      clock.advance(Duration.ofSeconds(10));
      assertEquals(1, poller.pollOnce().polled(), "the failing ones now wait 20 s");
      clock.advance(Duration.ofSeconds(10));
      assertEquals(4, poller.pollOnce().polled());

      sick.mode(FakeBridge.Mode.NORMAL);
      clock.advance(Duration.ofSeconds(40));
      poller.pollOnce();
      clock.advance(Duration.ofSeconds(61));
      poller.pollOnce();
      assertEquals(BridgeState.HEALTHY, pool.snapshot().bridge("sick").orElseThrow().state(), "recovered, backoff reset");
      clock.advance(Duration.ofSeconds(5));
      assertEquals(2, poller.pollOnce().polled(), "good and sick are both on the 5 s interval again");

      endpoints.removeIf(e -> e.bridgeId().equals("good"));
      poller.pollOnce();
      assertTrue(pool.snapshot().bridge("good").isEmpty(), "a bridge dropped from the list leaves the pool");

      // One that never answered leaves no state behind either: back in the list (a new VM under the
      // same name), it is polled at once, not when its old backoff ends.
      endpoints.removeIf(e -> e.bridgeId().equals("slow"));
      poller.pollOnce();
      slow.mode(FakeBridge.Mode.NORMAL);
      endpoints.add(slow.endpoint("slow"));
      int slowBefore = slow.requests();
      poller.pollOnce();
      assertTrue(slow.requests() > slowBefore, "polled at once");
      assertEquals(BridgeState.HEALTHY, pool.snapshot().bridge("slow").orElseThrow().state());
    }
  }

  @Test
  void concurrencyIsBounded() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    List<FakeBridge> bridges = new ArrayList<>();
    try {
      List<BridgeEndpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        FakeBridge b = FakeBridge.start(inFlight, max);
        b.mode(FakeBridge.Mode.SLOW);
        b.slowMillis(50);
        bridges.add(b);
        endpoints.add(b.endpoint("jvb" + i));
      }
      BridgePool pool = BridgePool.create(BridgeHealthConfig.defaults(), MutableClock.atEpoch());
      BridgeRestPoller poller = BridgeRestPoller.builder().client(BridgeRestClient.create(Duration.ofSeconds(5)))
          .pool(pool).clock(MutableClock.atEpoch()).endpoints(() -> endpoints).maxConcurrency(3).build();
      assertEquals(new BridgeRestPoller.Round(12, 0, 0), poller.pollOnce());
      assertTrue(max.get() <= 3, "at most 3 bridges polled at once, saw " + max.get());
      assertEquals(12, pool.snapshot().bridges().size());
    } finally {
      bridges.forEach(FakeBridge::close);
    }
  }

  @Test
  void theAutoscalerDrainsThroughRest() throws Exception {
    try (FakeBridge bridge = FakeBridge.start()) {
      // Its own patient client: the first loopback call of a busy 2-core machine can take longer than 300 ms.
      BridgeRestClient patient = BridgeRestClient.create(Duration.ofSeconds(5));
      io.bridgekeeper.scaling.BridgeDrainer drainer = io.bridgekeeper.scaling.BridgeDrainer.rest(patient,
          id -> id.equals("jvb1") ? Optional.of(bridge.endpoint("jvb1")) : Optional.empty());
      assertTrue(drainer.drain("jvb1"));
      assertEquals(List.of("POST /colibri/drain/enable"), bridge.controls());
      assertTrue(drainer.undrain("jvb1"));
      assertEquals(List.of("POST /colibri/drain/enable", "POST /colibri/drain/disable"), bridge.controls());
      assertEquals(false, drainer.drain("unknown"));
      assertEquals(false, drainer.undrain("unknown"));
      bridge.mode(FakeBridge.Mode.ERRORS);
      assertEquals(false, drainer.drain("jvb1"));
      assertEquals(false, drainer.undrain("jvb1"));
    }
  }

  @Test
  void aTimedOutRequestClosesItsConnection() throws Exception {
    try (FakeBridge bridge = FakeBridge.start()) {
      bridge.mode(FakeBridge.Mode.TRICKLE);
      BridgeRestClient.StatsResult r = client.stats(bridge.endpoint("jvb1")).join();
      assertEquals(BridgeRestClient.Outcome.TIMED_OUT, ((BridgeRestClient.StatsResult.Failed) r).outcome(), r.toString());
      // A deadline that only completes the caller's future would leave the body being read forever.
      awaitZero("the endless body's connection closed", bridge::endlessBodies);
    }
  }

  @Test
  void anEndlessStatsBodyIsCutAtTheLimit() throws Exception {
    try (FakeBridge bridge = FakeBridge.start()) {
      bridge.mode(FakeBridge.Mode.ENDLESS);
      BridgeRestClient.StatsResult r = client.stats(bridge.endpoint("jvb1")).join();
      assertTrue(r instanceof BridgeRestClient.StatsResult.Garbage g
          && g.problem().contains("more than " + BridgeRestClient.MAX_BODY + " bytes"), r.toString());
      awaitZero("the endless body's connection closed", bridge::endlessBodies);
      bridge.mode(FakeBridge.Mode.NORMAL);
      assertInstanceOf(BridgeRestClient.StatsResult.Ok.class, client.stats(bridge.endpoint("jvb1")).join());
    }
  }

  static void awaitZero(String what, java.util.function.IntSupplier count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (count.getAsInt() != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aBackoffCapBetweenOneAndTwoIntervalsIsAccepted() {
    BridgeRestPoller.builder().client(client).pool(BridgePool.create(BridgeHealthConfig.defaults(),
        MutableClock.atEpoch())).endpoints(List::of).interval(Duration.ofSeconds(5))
        .maxBackoff(Duration.ofSeconds(7)).build();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BridgeRestPoller.builder()
        .client(client).pool(BridgePool.create(BridgeHealthConfig.defaults(), MutableClock.atEpoch()))
        .endpoints(List::of).interval(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(4)).build());
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Optional<String> none() {
    return Optional.empty();
  }
}
