package io.bridgekeeper.bridges;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bridge source that polls each bridge's REST interface — {@code GET /colibri/stats} and
 * {@code GET /about/health} — and feeds a {@link BridgePool} under the source name {@value #SOURCE}.
 *
 * <p>Believable stats are a presence with stats; an answer that is not believable stats is a
 * presence without (the bridge is alive; one log line says what was wrong); no answer is no
 * presence, so a bridge only this source knows goes LOST after the presence timeout. Health results
 * go to the pool as health checks. A bridge that fails (no answer, unbelievable stats, or a health
 * check that does not pass) is polled less often: the interval doubles
 * per consecutive failure up to {@code maxBackoff}, and resets on success. At most
 * {@code maxConcurrency} bridges are polled at once. A bridge that disappears from the endpoint
 * list leaves this source.
 *
 * <p>{@link #pollOnce()} polls every bridge that is due and returns when they have all answered or
 * timed out; run it from a scheduler. Thread-safe: concurrent rounds are serialised.
 */
public final class BridgeRestPoller {
  /** The source name this poller reports under. */
  public static final String SOURCE = "rest";

  private static final Logger LOG = LoggerFactory.getLogger(BridgeRestPoller.class);

  /** What one round did. */
  public record Round(int polled, int failed, int backingOff) {}

  private final BridgeRestClient client;
  private final BridgePool pool;
  private final Supplier<List<BridgeEndpoint>> endpoints;
  private final Clock clock;
  private final Duration interval;
  private final Duration maxBackoff;
  private final int maxConcurrency;
  private final Backoff backoff;
  private final Map<String, Integer> failures = new HashMap<>();
  private final Map<String, Instant> due = new HashMap<>();
  private final Set<String> known = new HashSet<>();
  /** Guards failures, due and known; never held while waiting for a bridge. */
  private final Object state = new Object();
  private final java.util.concurrent.locks.ReentrantLock roundLock = new java.util.concurrent.locks.ReentrantLock();

  private BridgeRestPoller(Builder b) {
    client = Objects.requireNonNull(b.client, "client");
    pool = Objects.requireNonNull(b.pool, "pool");
    endpoints = Objects.requireNonNull(b.endpoints, "endpoints");
    clock = Objects.requireNonNull(b.clock, "clock");
    interval = positive("interval", b.interval);
    maxBackoff = positive("maxBackoff", b.maxBackoff);
    if (maxBackoff.compareTo(interval) < 0) {
      throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than the interval " + interval);
    }
    if (b.maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be ≥ 1, was " + b.maxConcurrency);
    }
    maxConcurrency = b.maxConcurrency;
    // The first failure waits two intervals (the next regular poll would come after one anyway),
    // never more than the cap.
    Duration first = interval.multipliedBy(2);
    backoff = new Backoff(first.compareTo(maxBackoff) > 0 ? maxBackoff : first, maxBackoff);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Polls every bridge that is due now; returns when all have answered or timed out. */
  public Round pollOnce() {
    roundLock.lock();
    try {
      return round();
    } finally {
      roundLock.unlock();
    }
  }

  private Round round() {
    Instant now = clock.instant();
    List<BridgeEndpoint> current = endpoints.get();
    Set<String> ids = new HashSet<>();
    current.forEach(e -> ids.add(e.bridgeId()));
    List<BridgeEndpoint> toPoll = new ArrayList<>();
    int backingOff = 0;
    synchronized (state) {
      for (String gone : new ArrayList<>(known)) {
        if (!ids.contains(gone)) {
          pool.left(SOURCE, gone);
          known.remove(gone);
        }
      }
      // Also for bridges that never answered (never known): instances come and go by the
      // thousand, and one back under the same name is a new VM, polled at once.
      failures.keySet().retainAll(ids);
      due.keySet().retainAll(ids);
      for (BridgeEndpoint e : current) {
        if (due.getOrDefault(e.bridgeId(), Instant.MIN).isAfter(now)) {
          backingOff++;
        } else {
          toPoll.add(e);
        }
      }
    }
    // Waiting happens outside the state lock: the answers take it to record themselves.
    Semaphore slots = new Semaphore(maxConcurrency);
    List<CompletableFuture<Boolean>> polls = new ArrayList<>();
    for (BridgeEndpoint e : toPoll) {
      slots.acquireUninterruptibly();
      polls.add(poll(e).whenComplete((ok, t) -> slots.release()));
    }
    int failed = 0;
    for (int i = 0; i < polls.size(); i++) {
      boolean ok = polls.get(i).join();
      if (!ok) {
        failed++;
      }
    }
    return new Round(polls.size(), failed, backingOff);
  }

  /** Stats, then health; completes with whether the bridge answered usefully. */
  private CompletableFuture<Boolean> poll(BridgeEndpoint e) {
    String id = e.bridgeId();
    return client.stats(e).thenCompose(stats -> client.health(e).thenApply(health -> {
      boolean ok;
      synchronized (state) {
        if (stats instanceof BridgeRestClient.StatsResult.Ok s) {
          pool.presence(SOURCE, id, Optional.of(s.stats()));
          known.add(id);
          ok = true;
        } else if (stats instanceof BridgeRestClient.StatsResult.Garbage g) {
          LOG.warn("bridge {}: stats ignored: {}", id, g.problem());
          pool.presence(SOURCE, id, Optional.empty());
          known.add(id);
          // Alive, but asking again every interval only repeats the same garbage: back off.
          ok = false;
        } else {
          BridgeRestClient.StatsResult.Failed f = (BridgeRestClient.StatsResult.Failed) stats;
          LOG.debug("bridge {}: no stats: {} {}", id, f.outcome(), f.problem());
          ok = false;
        }
        pool.healthCheck(id, health);
        ok &= health == HealthCheck.PASSED;
        schedule(id, ok);
      }
      return ok;
    }));
  }

  private void schedule(String id, boolean ok) {
    Instant now = clock.instant();
    if (ok) {
      failures.remove(id);
      due.put(id, now.plus(interval));
      return;
    }
    int n = failures.merge(id, 1, Integer::sum);
    due.put(id, now.plus(backoff.after(n - 1)));
  }

  private static Duration positive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d;
  }

  /** Options; {@link #build()} checks them. */
  public static final class Builder {
    private BridgeRestClient client;
    private BridgePool pool;
    private Supplier<List<BridgeEndpoint>> endpoints;
    private Clock clock = Clock.systemUTC();
    private Duration interval = Duration.ofSeconds(5);
    private Duration maxBackoff = Duration.ofMinutes(2);
    private int maxConcurrency = 16;

    private Builder() {}

    public Builder client(BridgeRestClient client) {
      this.client = client;
      return this;
    }

    public Builder pool(BridgePool pool) {
      this.pool = pool;
      return this;
    }

    /** The bridges to poll, asked for at every round (so the list can follow the cloud). */
    public Builder endpoints(Supplier<List<BridgeEndpoint>> endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How often a healthy bridge is polled (5 s: the bridges' own stats interval). */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** The longest wait between polls of a failing bridge (2 min). */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Bridges polled at once (16). */
    public Builder maxConcurrency(int maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    public BridgeRestPoller build() {
      return new BridgeRestPoller(this);
    }
  }
}
