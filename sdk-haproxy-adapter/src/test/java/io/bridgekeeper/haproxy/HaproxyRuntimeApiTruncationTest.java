package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by {@link HaproxyFaultsIT}): a connection that ended before HAProxy answered
 * read as an empty answer, which is what a successful {@code add map} or {@code commit map} says —
 * so a bulk add cut mid-payload was committed as a success with part of the map, and a cut
 * {@code show map} read as a smaller map. A worker's CLI ends every answer with an empty line; an
 * answer without one is now a PROTOCOL failure.
 */
class HaproxyRuntimeApiTruncationTest {

  /** Answers each connection (after its first line) with the next of {@code answers}, then closes. */
  private static InetSocketAddress serve(ServerSocket server, String... answers) {
    Thread t = new Thread(() -> {
      for (String answer : answers) {
        try (Socket s = server.accept()) {
          InputStream in = s.getInputStream();
          int c;
          while ((c = in.read()) >= 0 && c != '\n') {
            // the command line
          }
          s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    }, "truncating-runtime-api");
    t.setDaemon(true);
    t.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  @Test
  void aConnectionClosedWithoutAnAnswerIsNotASuccess() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      HaproxyRuntimeApi api = HaproxyRuntimeApi.tcp(serve(server, "New version created: 3\n\n", ""), Duration.ofSeconds(5));
      HaproxyRuntimeException e = assertThrows(HaproxyRuntimeException.class,
          () -> api.replaceMap("/m.map", Map.of("k", "v")));
      assertEquals(HaproxyRuntimeException.Kind.PROTOCOL, e.kind(), e.getMessage());
    }
  }

  @Test
  void aCutShowMapIsNotASmallerMap() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      HaproxyRuntimeApi api = HaproxyRuntimeApi.tcp(serve(server,
          "0x1 a shard_a\n0x2 b shard_b\n",          // cut after a whole line
          "0x1 a shard_a\n0x2 b sha",                // cut inside a value
          "0x1 a shard_a\n0x2 b shard_b\n\n"),       // whole
          Duration.ofSeconds(5));
      assertEquals(HaproxyRuntimeException.Kind.PROTOCOL,
          assertThrows(HaproxyRuntimeException.class, () -> api.showMap("/m.map")).kind());
      assertEquals(HaproxyRuntimeException.Kind.PROTOCOL,
          assertThrows(HaproxyRuntimeException.class, () -> api.showMap("/m.map")).kind());
      assertEquals(Map.of("a", "shard_a", "b", "shard_b"), api.showMap("/m.map"));
    }
  }
}
