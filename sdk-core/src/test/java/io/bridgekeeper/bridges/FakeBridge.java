package io.bridgekeeper.bridges;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A jitsi-videobridge private REST interface on 127.0.0.1 that a test steers: the real stats JSON
 * shape, or failures, slowness and garbage on demand; it records the control calls it gets.
 */
public final class FakeBridge implements AutoCloseable {
  /**
   * How it answers. ENDLESS sends a stats body that never ends as fast as it can, TRICKLE one that
   * never ends a few bytes at a time; both stop only when the client goes away.
   */
  public enum Mode { NORMAL, UNHEALTHY, SLOW, GARBAGE, ERRORS, ENDLESS, TRICKLE }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private volatile Mode mode = Mode.NORMAL;
  private volatile String stats = BridgeStatsTest.REST_STATS;
  private volatile long slowMillis = 2_000;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger endlessBodies = new AtomicInteger();
  private final List<String> controls = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlightShared;
  private final AtomicInteger maxShared;

  private FakeBridge(AtomicInteger inFlightShared, AtomicInteger maxShared) throws IOException {
    this.inFlightShared = inFlightShared;
    this.maxShared = maxShared;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static FakeBridge start() throws IOException {
    return new FakeBridge(new AtomicInteger(), new AtomicInteger());
  }

  /** A bridge that also counts requests in flight across every bridge sharing these counters. */
  public static FakeBridge start(AtomicInteger inFlightShared, AtomicInteger maxShared) throws IOException {
    return new FakeBridge(inFlightShared, maxShared);
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public BridgeEndpoint endpoint(String id) {
    return new BridgeEndpoint(id, uri());
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  public void stats(String json) {
    this.stats = json;
  }

  public void slowMillis(long millis) {
    this.slowMillis = millis;
  }

  public int requests() {
    return requests.get();
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Endless stats bodies still being sent: a client that gave up on one should have closed it. */
  public int endlessBodies() {
    return endlessBodies.get();
  }

  /** "METHOD path body" of every control call, in order. */
  public List<String> controls() {
    return List.copyOf(controls);
  }

  private void handle(HttpExchange x) throws IOException {
    requests.incrementAndGet();
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    maxShared.accumulateAndGet(inFlightShared.incrementAndGet(), Math::max);
    try {
      String path = x.getRequestURI().getPath();
      String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Mode m = mode;
      if (m == Mode.SLOW) {
        try {
          Thread.sleep(slowMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (m == Mode.ERRORS) {
        reply(x, 503, "busy");
        return;
      }
      if ((m == Mode.ENDLESS || m == Mode.TRICKLE) && path.equals("/colibri/stats")) {
        endless(x, m == Mode.TRICKLE);
        return;
      }
      switch (path) {
        case "/about/health" -> reply(x, m == Mode.UNHEALTHY ? 500 : 200, m == Mode.UNHEALTHY ? "no ICE address" : "");
        case "/colibri/stats" -> reply(x, 200, m == Mode.GARBAGE ? "<html>oops</html>" : stats);
        case "/colibri/drain/enable", "/colibri/drain/disable", "/colibri/shutdown" -> {
          controls.add(x.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
          reply(x, "POST".equals(x.getRequestMethod()) ? 200 : 405, "");
        }
        default -> reply(x, 404, "not found");
      }
    } finally {
      inFlight.decrementAndGet();
      inFlightShared.decrementAndGet();
    }
  }

  private void endless(HttpExchange x, boolean trickle) throws IOException {
    endlessBodies.incrementAndGet();
    x.sendResponseHeaders(200, 0); // chunked
    byte[] chunk = (trickle ? " " : " ".repeat(64 * 1024)).getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = x.getResponseBody()) {
      out.write('{');
      while (true) {
        out.write(chunk);
        out.flush();
        if (trickle) {
          Thread.sleep(20);
        }
      }
    } catch (IOException | InterruptedException clientGone) {
      // the client closed the connection (or the bridge is closing)
    } finally {
      endlessBodies.decrementAndGet();
    }
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
