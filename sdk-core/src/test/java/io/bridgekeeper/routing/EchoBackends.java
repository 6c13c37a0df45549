package io.bridgekeeper.routing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small HTTP servers on 127.0.0.1, one per name, that answer every request (health checks
 * included) with 200 and their own name: a stand-in for a Jitsi shard whose answer tells a test
 * which shard HAProxy chose.
 */
public final class EchoBackends implements AutoCloseable {
  private final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicLong requests = new AtomicLong();

  static {
    // The JDK server writes headers and body separately: without TCP_NODELAY each response waits
    // for the proxy's delayed ACK (tens of milliseconds).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private EchoBackends() {}

  public static EchoBackends start(List<String> names) throws IOException {
    EchoBackends b = new EchoBackends();
    try {
      for (String name : names) {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
          b.requests.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
        server.setExecutor(b.executor);
        server.start();
        b.servers.put(name, server);
      }
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /** {@code 127.0.0.1:port} of the server named {@code name}. */
  public String address(String name) {
    return "127.0.0.1:" + servers.get(name).getAddress().getPort();
  }

  /** Requests answered so far, health checks included. */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    servers.values().forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
