package io.bridgekeeper.routing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small HTTP/1.1 servers on 127.0.0.1, one per name, that answer every request — whatever its
 * target, health checks included — with 200 and their own name: a stand-in for a Jitsi shard
 * whose answer tells a test which shard HAProxy chose. Raw sockets rather than the JDK's
 * HttpServer, which refuses or 404s odd targets ({@code //}, {@code /?}) that HAProxy passes on.
 */
public final class EchoBackends implements AutoCloseable {
  private final Map<String, ServerSocket> servers = new LinkedHashMap<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "echo-backend");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong requests = new AtomicLong();
  private final Map<String, Map<String, String>> lastHeaders = new java.util.concurrent.ConcurrentHashMap<>();

  private EchoBackends() {}

  public static EchoBackends start(List<String> names) throws IOException {
    EchoBackends b = new EchoBackends();
    try {
      for (String name : names) {
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        b.servers.put(name, server);
        b.executor.execute(() -> b.accept(server, name));
      }
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  private void accept(ServerSocket server, String name) {
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        executor.execute(() -> serve(s, name, body));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket, String name, byte[] body) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        boolean close = requestLine.endsWith("HTTP/1.0");
        long contentLength = 0;
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
          String lower = h.toLowerCase(Locale.ROOT);
          int colon = h.indexOf(':');
          if (colon > 0) {
            headers.put(lower.substring(0, colon), h.substring(colon + 1).trim());
          }
          if (lower.startsWith("connection:")) {
            close = lower.contains("close");
          } else if (lower.startsWith("content-length:")) {
            contentLength = Long.parseLong(lower.substring(15).trim());
          }
        }
        in.skipNBytes(contentLength);
        if (headers.containsKey("x-forwarded-for")) {
          lastHeaders.put(name, headers);
        }
        requests.incrementAndGet();
        byte[] response = new byte[head.length + body.length];
        System.arraycopy(head, 0, response, 0, head.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        out.write(response);
        out.flush();
        if (close) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The peer went away: nothing to answer.
    }
  }

  /** One CRLF-terminated line, or null at end of stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** {@code 127.0.0.1:port} of the server named {@code name}. */
  public String address(String name) {
    return "127.0.0.1:" + servers.get(name).getLocalPort();
  }

  /** Headers (lowercase names) of the last proxied request {@code name} answered (health checks carry no X-Forwarded-For). */
  public Map<String, String> lastHeaders(String name) {
    return lastHeaders.getOrDefault(name, Map.of());
  }

  /** Requests answered so far, health checks included. */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    for (ServerSocket s : servers.values()) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    executor.shutdownNow();
  }
}
