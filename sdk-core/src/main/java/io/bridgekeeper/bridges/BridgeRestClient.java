package io.bridgekeeper.bridges;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The private REST interface of jitsi-videobridge ({@code jitsi/jitsi-videobridge:doc/rest.md}),
 * with the JDK's {@code HttpClient}: health, stats, drain and shutdown. Every call has a deadline
 * and returns a typed result instead of throwing for what a bridge can do (refuse, time out,
 * answer garbage). A request that misses its deadline is aborted, and no more than
 * {@link #MAX_BODY} bytes of a response body are read. Thread-safe.
 */
public final class BridgeRestClient {
  /** Most bytes of a response body read; a bridge's stats are a few KiB. */
  static final int MAX_BODY = 256 * 1024;

  private final HttpClient http;
  private final Duration timeout;

  private BridgeRestClient(HttpClient http, Duration timeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /** A client with its own {@code HttpClient}; every request must finish within {@code timeout}. */
  public static BridgeRestClient create(Duration timeout) {
    return new BridgeRestClient(HttpClient.newBuilder().connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1).build(), timeout);
  }

  /** A client on the caller's {@code HttpClient} (proxies, TLS settings, executor). */
  public static BridgeRestClient using(HttpClient http, Duration timeout) {
    return new BridgeRestClient(http, timeout);
  }

  /** What a stats request gave. */
  public sealed interface StatsResult {
    /** Believable stats. */
    record Ok(BridgeStats stats) implements StatsResult {}

    /** The bridge answered, but with something that is not believable stats. */
    record Garbage(String problem) implements StatsResult {}

    /** No usable answer: an HTTP error status, a refused connection, or no answer in time. */
    record Failed(Outcome outcome, String problem) implements StatsResult {}
  }

  /** What a control request (drain, shutdown) gave. */
  public sealed interface ControlResult {
    /** The bridge accepted it (2xx). */
    record Done(int status) implements ControlResult {}

    /** The bridge answered with an error status (e.g. 404: the endpoint is disabled in its config). */
    record Refused(int status, String body) implements ControlResult {}

    /** No answer: connection refused or reset, or no answer in time. */
    record Unreachable(Outcome outcome, String problem) implements ControlResult {}
  }

  /** Why there was no usable answer. */
  public enum Outcome {
    /** An HTTP status outside 2xx. */
    ERROR_STATUS,
    /** Connection refused, reset, or another I/O failure. */
    UNREACHABLE,
    /** No complete answer before the deadline. */
    TIMED_OUT
  }

  /** {@code GET /about/health}: 2xx passes, another status fails, no answer in time times out, no connection fails. */
  public CompletableFuture<HealthCheck> health(BridgeEndpoint bridge) {
    return send(HttpRequest.newBuilder(bridge.resolve("/about/health")).GET())
        .handle((r, e) -> {
          if (e != null) {
            return timedOut(e) ? HealthCheck.TIMED_OUT : HealthCheck.FAILED;
          }
          return r.statusCode() / 100 == 2 ? HealthCheck.PASSED : HealthCheck.FAILED;
        });
  }

  /** {@code GET /colibri/stats} (needs the COLIBRI REST API enabled on the bridge). */
  public CompletableFuture<StatsResult> stats(BridgeEndpoint bridge) {
    return send(HttpRequest.newBuilder(bridge.resolve("/colibri/stats")).GET()
        .header("Accept", "application/json"))
        .handle((r, e) -> {
          if (e != null) {
            Throwable cause = unwrap(e);
            return new StatsResult.Failed(timedOut(cause) ? Outcome.TIMED_OUT : Outcome.UNREACHABLE, describe(cause));
          }
          if (r.statusCode() / 100 != 2) {
            return new StatsResult.Failed(Outcome.ERROR_STATUS, "HTTP " + r.statusCode());
          }
          if (r.body().truncated()) {
            return new StatsResult.Garbage("stats body of more than " + MAX_BODY + " bytes");
          }
          try {
            return new StatsResult.Ok(BridgeStats.fromJson(r.body().text()));
          } catch (BridgeStatsException bad) {
            return new StatsResult.Garbage(bad.getMessage());
          }
        });
  }

  /** {@code POST /colibri/drain/enable} or {@code /disable}: a draining bridge gets no new conferences. */
  public CompletableFuture<ControlResult> drain(BridgeEndpoint bridge, boolean enable) {
    return control(HttpRequest.newBuilder(bridge.resolve(enable ? "/colibri/drain/enable" : "/colibri/drain/disable"))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * {@code POST /colibri/shutdown} with {@code {"graceful-shutdown": true|false}}: graceful waits for
   * the bridge's conferences to end (jitsi-videobridge ShutdownManager); not graceful shuts down now.
   */
  public CompletableFuture<ControlResult> shutdown(BridgeEndpoint bridge, boolean graceful) {
    return control(HttpRequest.newBuilder(bridge.resolve("/colibri/shutdown"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"graceful-shutdown\": " + graceful + "}")));
  }

  private CompletableFuture<ControlResult> control(HttpRequest.Builder request) {
    return send(request).handle((r, e) -> {
      if (e != null) {
        Throwable cause = unwrap(e);
        return new ControlResult.Unreachable(timedOut(cause) ? Outcome.TIMED_OUT : Outcome.UNREACHABLE, describe(cause));
      }
      if (r.statusCode() / 100 == 2) {
        return new ControlResult.Done(r.statusCode());
      }
      String body = r.body().text();
      return new ControlResult.Refused(r.statusCode(), body.length() > 200 ? body.substring(0, 200) + "…" : body);
    });
  }

  private CompletableFuture<HttpResponse<Body>> send(HttpRequest.Builder request) {
    CompletableFuture<HttpResponse<Body>> exchange =
        http.sendAsync(request.timeout(timeout).build(), info -> new LimitedBody(MAX_BODY));
    // The request timeout covers the headers; orTimeout bounds the body too. It only completes this
    // copy: cancelling the client's own future is what aborts the exchange (JDK 16+) and closes its
    // connection, instead of reading a slow body on after the caller was told it timed out.
    CompletableFuture<HttpResponse<Body>> bounded = exchange.copy().orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    bounded.whenComplete((r, e) -> {
      if (e != null) {
        exchange.cancel(true);
      }
    });
    return bounded;
  }

  /** A response body as text, and whether there was more than this. */
  private record Body(String text, boolean truncated) {}

  /** Keeps the first {@code limit} bytes, then stops reading (which closes the connection). */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<Body> {
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private final int limit;
    private byte[] bytes = new byte[1024];
    private int size;
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Body> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : buffers) {
        int n = Math.min(b.remaining(), limit - size);
        if (size + n > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + n, bytes.length * 2)));
        }
        b.get(bytes, size, n);
        size += n;
        if (b.hasRemaining()) {
          subscription.cancel();
          result.complete(new Body(text(), true));
          return;
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(new Body(text(), false));
    }

    private String text() {
      return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static boolean timedOut(Throwable e) {
    Throwable t = unwrap(e);
    return t instanceof HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException;
  }

  private static String describe(Throwable e) {
    Throwable t = unwrap(e);
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
