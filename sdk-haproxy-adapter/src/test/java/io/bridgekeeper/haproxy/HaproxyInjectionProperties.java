package io.bridgekeeper.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.ShardState;
import io.bridgekeeper.routing.Topology;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Reliability: hostile names, rooms and options — newlines, carriage returns, spaces, {@code #},
 * {@code ;}, NUL, quotes, HAProxy's {@code %[} and {@code {}} syntax, non-ASCII — through the
 * configuration generator, the map renderer and the runtime-API client. Each is refused with a
 * typed error naming it, or goes through without adding a line, a directive or a command: the
 * generated configuration has the baseline's lines and directives, and the loopback fake runtime
 * API records exactly one command line per call (plus one line per map entry in a payload), no
 * control byte, and nothing at all when the client refuses.
 */
class HaproxyInjectionProperties {
  private static final Topology TOPOLOGY = Topology.builder().version(1).bucketCount(64)
      .shard(new Shard("a", 100, "eu", ShardState.ACTIVE, "10.0.0.1:443", null))
      .shard(new Shard("b", 100, "eu", ShardState.DRAINING, "shard-b.internal:8443", null))
      .build();

  private static FakeRuntimeApi fake;

  @BeforeContainer
  static void startFake() throws IOException {
    fake = new FakeRuntimeApi();
  }

  @AfterContainer
  static void stopFake() throws IOException {
    fake.close();
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> piece = Arbitraries.of("a", "x.y", "/etc/h", "*:80", "10.0.0.1:443", "shard_a", "\n", "\r", "\r\n",
        " ", "\t", "#", ";", "\u0000", "\"", "'", "\\", "%[", "]", "{", "}", "$", "`", "<<", "&", "|", "\u00e9",
        "\u2028", "\u0085", "\ufeff", "\n    bind *:1\n", "\ngloba 1", "; clear map pins.map", "\nset map x y",
        "\u0000show info", "if TRUE", "#comment");
    return piece.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("", l));
  }

  // ------------------------------------------------------------------ configuration

  /** Every option that ends up in the file, one hostile value at a time. */
  @Property(tries = 1500)
  void configurationOptionsNeverAddALineOrDirective(@ForAll("hostile") String h, @ForAll("option") int option) {
    String rendered;
    String baseline = withOption(option, BENIGN.get(option)).build().render(TOPOLOGY);
    try {
      rendered = withOption(option, h).build().render(TOPOLOGY);
    } catch (InvalidPathException e) {
      return; // the JDK refuses the path (NUL) before it reaches the generator
    } catch (IllegalArgumentException e) { // HaproxyConfigException is one too
      checkMessage(e);
      return;
    }
    checkSameShape(baseline, rendered, "option " + option + " = " + show(h));
  }

  /** A value each option takes without complaint: the baseline a hostile value is compared with. */
  private static final List<String> BENIGN = List.of("*:81", "*:443", "/etc/ssl/y.pem", "/etc/haproxy/x",
      "/run/x.sock", "/dev/log", "/about/health", "/etc/ssl/ca.pem", "static_x", "10.0.0.9:80");

  private static HaproxyConfig.Builder withOption(int option, String h) {
      HaproxyConfig.Builder b = HaproxyConfig.builder().bind("*:80").statsSocket(Optional.of(Path.of("/run/h.sock")));
      List<Consumer<HaproxyConfig.Builder>> options = List.of(
          x -> x.bind(h),
          x -> x.bindTls(h, Path.of("/etc/ssl/x.pem")),
          x -> x.bindTls("*:443", Path.of(h)),
          x -> x.mapDirectory(Path.of(h)),
          x -> x.statsSocket(Optional.of(Path.of(h))),
          x -> x.logTarget(Optional.of(h)),
          x -> x.healthCheckPath(h),
          x -> x.serverTls(HaproxyConfig.ServerTls.VERIFY).caFile(Path.of(h)),
          x -> x.staticBackend(h),
          x -> x.staticServer(h));
      options.get(option).accept(b);
      return b;
  }

  @Provide
  Arbitrary<Integer> option() {
    return Arbitraries.integers().between(0, 9);
  }

  /** Hostile shard ids, backends and addresses: refused by the shard, or rendered without a new line. */
  @Property(tries = 1500)
  void shardFieldsNeverAddALineOrDirective(@ForAll("hostile") String h, @ForAll("shardField") int field) {
    String baseline = HaproxyConfig.builder().bind("*:80").build().render(TOPOLOGY);
    Shard shard;
    try {
      shard = switch (field) {
        case 0 -> new Shard(h, 100, "eu", ShardState.ACTIVE, "10.0.0.1:443", null);
        case 1 -> new Shard("a", 100, h, ShardState.ACTIVE, "10.0.0.1:443", null);
        case 2 -> new Shard("a", 100, "eu", ShardState.ACTIVE, h, null);
        default -> new Shard("a", 100, "eu", ShardState.ACTIVE, "10.0.0.1:443", h);
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      checkMessage(e);
      return;
    }
    Topology t = Topology.builder().version(1).bucketCount(64).shard(shard)
        .shard(new Shard("b", 100, "eu", ShardState.DRAINING, "shard-b.internal:8443", null)).build();
    String rendered;
    try {
      rendered = HaproxyConfig.builder().bind("*:80").build().render(t);
    } catch (IllegalArgumentException e) {
      checkMessage(e);
      return;
    }
    checkSameShape(baseline, rendered, "shard field " + field + " = " + show(h));
    // And the maps: one line per bucket and pin, each "<token> <token>".
    RoutingTable table = RoutingTable.of(t).withPin(RoomKey.ofKeyBytes(h.getBytes(StandardCharsets.UTF_8)), "b");
    for (String map : List.of(HaproxyMaps.bucketsMap(table), HaproxyMaps.pinsMap(table))) {
      for (String line : map.split("\n", -1)) {
        if (!line.isEmpty() && !line.startsWith("#")) {
          assertTrue(line.matches("[0-9A-F]+ [A-Za-z0-9_.:-]+") || line.matches("[0-9]+ [A-Za-z0-9_.:-]+"), line);
        }
      }
    }
  }

  @Provide
  Arbitrary<Integer> shardField() {
    return Arbitraries.integers().between(0, 3);
  }

  // ------------------------------------------------------------------ runtime API

  /** Hostile map files, keys and values: refused before anything is sent, or sent as one line each. */
  @Property(tries = 1000)
  void runtimeApiArgumentsNeverAddACommand(@ForAll("hostile") String h, @ForAll("slot") int slot) {
    HaproxyRuntimeApi api = HaproxyRuntimeApi.tcp(fake.address(), Duration.ofSeconds(5));
    fake.requests.clear();
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("4142", "shard_a");
    String mapFile = "/etc/haproxy/pins.map";
    String backend = "shard_a";
    String server = "a";
    switch (slot) {
      case 0 -> mapFile = h;
      case 1 -> entries.put(h, "shard_b");
      case 2 -> entries.put("4143", h);
      case 3 -> backend = h;
      default -> server = h;
    }
    int expectedCalls;
    try {
      if (slot <= 2) {
        api.replaceMap(mapFile, entries);
        expectedCalls = 3; // prepare, one add with a payload, commit
      } else {
        api.setServerState(backend, server, HaproxyRuntimeApi.ServerState.DRAIN);
        expectedCalls = 1;
      }
    } catch (HaproxyRuntimeException e) {
      assertEquals(HaproxyRuntimeException.Kind.UNSAFE_ARGUMENT, e.kind(), e.getMessage());
      checkMessage(e);
      assertTrue(fake.requests.isEmpty(), () -> "refused, yet sent: " + fake.requests);
      return;
    }
    List<String> sent = List.copyOf(fake.requests);
    assertEquals(expectedCalls, sent.size(), () -> "calls: " + sent);
    for (String request : sent) {
      checkRequest(request, request.startsWith("add map") ? entries.size() : 0);
    }
  }

  @Provide
  Arbitrary<Integer> slot() {
    return Arbitraries.integers().between(0, 4);
  }

  /** A raw command with a hostile tail: refused, or sent as exactly one line without control bytes. */
  @Property(tries = 500)
  void executeNeverSendsTwoCommands(@ForAll("hostile") String h) {
    if (h.endsWith("<<")) {
      return; // a payload command: HAProxy (and the fake) wait for the payload execute cannot send
    }
    HaproxyRuntimeApi api = HaproxyRuntimeApi.tcp(fake.address(), Duration.ofSeconds(5));
    fake.requests.clear();
    try {
      api.execute("show map " + h);
    } catch (HaproxyRuntimeException e) {
      assertEquals(HaproxyRuntimeException.Kind.UNSAFE_ARGUMENT, e.kind());
      checkMessage(e);
      assertTrue(fake.requests.isEmpty(), () -> "refused, yet sent: " + fake.requests);
      return;
    }
    assertEquals(1, fake.requests.size());
    checkRequest(fake.requests.peek(), 0);
    assertEquals("show map " + h + "\n", fake.requests.peek(), "sent exactly what was asked");
  }

  /** Regression: a NUL or a non-ASCII character went through {@code execute} (HAProxy would have run a different command). */
  @Example
  void executeRefusesControlAndNonAsciiCharacters() {
    HaproxyRuntimeApi api = HaproxyRuntimeApi.tcp(fake.address(), Duration.ofSeconds(5));
    for (String bad : List.of("show info\u0000; clear map x", "show map \u00e9", "show info\t", "show\u007f")) {
      fake.requests.clear();
      HaproxyRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(HaproxyRuntimeException.class,
          () -> api.execute(bad));
      assertEquals(HaproxyRuntimeException.Kind.UNSAFE_ARGUMENT, e.kind());
      assertTrue(fake.requests.isEmpty());
    }
  }

  // ------------------------------------------------------------------ checks

  private static void checkSameShape(String baseline, String rendered, String what) {
    List<String> a = Arrays.asList(baseline.split("\n", -1));
    List<String> b = Arrays.asList(rendered.split("\n", -1));
    assertTrue(b.size() == a.size(),
        () -> what + ": " + a.size() + " lines became " + b.size() + "\n" + rendered);
    assertTrue(rendered.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)),
        () -> what + ": a control or non-ASCII character in the configuration\n" + show(rendered));
    Set<String> directives = b.stream().map(HaproxyInjectionProperties::directive).collect(Collectors.toCollection(TreeSet::new));
    Set<String> known = a.stream().map(HaproxyInjectionProperties::directive).collect(Collectors.toCollection(TreeSet::new));
    directives.removeAll(known);
    assertTrue(directives.isEmpty(), () -> what + ": new directives " + directives + "\n" + rendered);
    for (String line : b) {
      String stripped = line.strip();
      int hash = stripped.indexOf('#');
      assertTrue(hash <= 0, () -> what + ": '#' inside a directive line cuts it: " + line);
    }
  }

  private static String directive(String line) {
    String s = line.strip();
    int space = s.indexOf(' ');
    return space < 0 ? s : s.substring(0, space);
  }

  private static void checkRequest(String request, int payloadLines) {
    assertTrue(request.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)),
        () -> "control or non-ASCII byte sent: " + show(request));
    long newlines = request.chars().filter(c -> c == '\n').count();
    long expected = payloadLines == 0 ? 1 : 1 + payloadLines + 1; // command, entries, the empty line ending it
    assertEquals(expected, newlines, () -> "lines sent: " + show(request));
    String command = request.substring(0, request.indexOf('\n'));
    assertFalse(command.contains(";"), command);
    if (payloadLines > 0) {
      for (String entry : request.substring(request.indexOf('\n') + 1).strip().split("\n")) {
        assertEquals(2, entry.split(" ", -1).length, () -> "an entry is not '<key> <value>': " + show(entry));
      }
    }
  }

  private static void checkMessage(Exception e) {
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), () -> "no message: " + e);
    assertTrue(e.getMessage().chars().noneMatch(c -> c == '\n' || c == '\r' || c == 0),
        () -> "the message carries the hostile line break: " + show(e.getMessage()));
  }

  private static String show(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 400);
  }

  /**
   * A loopback stand-in for HAProxy's runtime API: records each connection's request (the command
   * line, and a payload up to its empty line), answers {@code prepare map} with a version and the
   * rest with nothing, and closes.
   */
  static final class FakeRuntimeApi implements AutoCloseable {
    final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread thread = new Thread(this::serve, "fake-runtime-api");

    FakeRuntimeApi() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread t = new Thread(() -> answer(s), "fake-runtime-api-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          // closed
        }
      }
    }

    private void answer(Socket socket) {
      {
        try (Socket s = socket) {
          s.setSoTimeout(5000);
          InputStream in = s.getInputStream();
          ByteArrayOutputStream got = new ByteArrayOutputStream();
          String first = readLine(in, got);
          if (first.endsWith("<<")) {
            while (!readLine(in, got).isEmpty()) {
              // payload lines, up to the empty one
            }
          }
          requests.add(got.toString(StandardCharsets.ISO_8859_1));
          String answer = first.startsWith("prepare map") ? "New version created: 7\n\n" : "\n";
          s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // closed, or a client that went away: next connection
        }
      }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream got) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.write(c);
        got.write(c);
      }
      if (c == '\n') {
        got.write(c);
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
