package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Reliability fuzzing of topology files: valid files mutated byte by byte, structurally valid
 * files with hostile values in every field, random bytes, huge and deeply nested documents. Every
 * outcome is a topology whose table builds, or a {@link TopologyException} with a message.
 */
class TopologyFileFuzzProperties {
  private static final String VALID_YAML = """
      version: 7
      buckets: 1024
      placement: rendezvous
      roomKeys:
        tenantInKey: true
        maxKeyBytes: 300
        signallingPaths: [http-bind, xmpp-websocket]
        staticDirectories: [libs]
        reservedNames: [config.js]
      shards:
        - id: eu-2
          weight: 150
          region: eu-central
          state: draining
          address: 10.0.1.11:443
        - id: eu-1
          address: "[2001:db8::1]:8443"
          backend: be_eu1
      """;
  private static final String VALID_JSON = TopologyFiles.toJson(TopologyFiles.parseYaml(VALID_YAML));

  private static Path dir;

  @BeforeContainer
  static void tempDir() throws IOException {
    dir = Files.createTempDirectory("topology-fuzz");
  }

  @AfterContainer
  static void removeTempDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  @Provide
  Arbitrary<String> mutatedFiles() {
    Arbitrary<String> base = Arbitraries.of(VALID_YAML, VALID_JSON);
    Arbitrary<String> piece = Arbitraries.of("", "\u0000", "\n", "\t", "#", ":", "-", "[", "]", "{", "}", "\"", "'",
        "&a", "*a", "!!binary", "!!java.lang.Object", "~", "null", "-1", "1e400", "99999999999999999999", "NaN",
        "\ud800", "\u00e9", "%", "---\n", "? ", "|", ">", "<<: *a", "0x10", ".inf");
    Arbitrary<Function<String, String>> edit = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.doubles().between(0, 1), piece)
            .as((at, p) -> s -> { int i = (int) (at * s.length()); return s.substring(0, i) + p + s.substring(i); }),
        Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 20))
            .as((at, n) -> s -> { int i = (int) (at * s.length()); return s.substring(0, i) + s.substring(Math.min(s.length(), i + n)); }),
        Arbitraries.doubles().between(0, 1).map(at -> s -> s.substring(0, (int) (at * s.length()))));
    return Combinators.combine(base, edit.list().ofMinSize(1).ofMaxSize(6)).as((s, edits) -> {
      for (Function<String, String> e : edits) {
        s = e.apply(s);
      }
      return s;
    });
  }

  /** Well-formed JSON whose every field may hold a hostile value. */
  @Provide
  Arbitrary<String> hostileValues() {
    Arbitrary<String> value = Arbitraries.of("null", "0", "-1", "1", "2147483648", "-2147483649", "1e400", "1.5",
        "true", "\"\"", "\"x\"", "\"a b\"", "\"a\\nb\"", "\"a\\u0000b\"", "\"ACTIVE\"", "\"down\"", "\"maglev\"",
        "[]", "[null]", "[\"\"]", "{}", "\"" + "x".repeat(5000) + "\"", "\"\\ud800\"", "\"10.0.0.1:99999\"",
        "\"[::1]:443\"", "\"shard;drop\"", "\"#x\"", "65536", "4096", "4097", "10000", "10001");
    Arbitrary<String> shard = Combinators.combine(value, value, value, value, value, value).as((id, w, r, st, a, b) ->
        "{\"id\":" + id + ",\"weight\":" + w + ",\"region\":" + r + ",\"state\":" + st + ",\"address\":" + a
            + ",\"backend\":" + b + "}");
    Arbitrary<String> roomKeys = Combinators.combine(value, value, value, value, value).as((t, m, sp, sd, rn) ->
        "{\"tenantInKey\":" + t + ",\"maxKeyBytes\":" + m + ",\"signallingPaths\":" + sp + ",\"staticDirectories\":"
            + sd + ",\"reservedNames\":" + rn + "}");
    return Combinators.combine(value, value, value, Arbitraries.oneOf(roomKeys, value), shard.list().ofMaxSize(4))
        .as((v, b, p, rk, shards) -> "{\"version\":" + v + ",\"buckets\":" + b + ",\"placement\":" + p
            + ",\"roomKeys\":" + rk + ",\"shards\":[" + String.join(",", shards) + "]}");
  }

  @Provide
  Arbitrary<String> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  @Property(tries = 2000)
  void mutatedFilesParseOrFailTyped(@ForAll("mutatedFiles") String text) {
    check(text);
  }

  @Property(tries = 2000)
  void hostileValuesParseOrFailTyped(@ForAll("hostileValues") String text) {
    check(text);
  }

  @Property(tries = 1000)
  void randomBytesFailTyped(@ForAll("randomBytes") String text) {
    check(text);
  }

  /** Through a file, too: the error names the file. */
  @Property(tries = 200)
  void loadNamesTheFile(@ForAll("mutatedFiles") String text, @ForAll boolean yaml) throws IOException {
    Path file = dir.resolve(yaml ? "t.yaml" : "t.json");
    // getBytes replaces an unpaired surrogate; raw invalid UTF-8 is covered by randomBytesInAFile.
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    try {
      RoutingTable.of(TopologyFiles.load(file));
    } catch (TopologyException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    } catch (RuntimeException e) {
      fail("topology file " + text + " threw " + e, e);
    }
  }

  @Property(tries = 200)
  void randomBytesInAFile(@ForAll byte[] bytes, @ForAll boolean yaml) throws IOException {
    Path file = dir.resolve(yaml ? "b.yml" : "b.json");
    Files.write(file, bytes);
    try {
      RoutingTable.of(TopologyFiles.load(file));
    } catch (TopologyException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    } catch (RuntimeException e) {
      fail("topology file bytes " + java.util.Arrays.toString(bytes) + " threw " + e, e);
    }
  }

  @Example
  void regressionCases() {
    check("");
    check("{");
    check("[".repeat(5000) + "]".repeat(5000));
    check("a: &a [" + "*a,".repeat(500) + "]\n" + "b: &b [" + "*a,".repeat(500) + "]\n");
    check("shards:\n" + "  - id: s\n".repeat(3));
    check("{\"shards\":[{\"id\":\"a\"}],\"buckets\":0}");
    check("{\"shards\":[{\"id\":\"a\"}],\"buckets\":-5}");
    check("{\"shards\":[{\"id\":\"a\"}],\"version\":-1}");
    check("{\"shards\":[{\"id\":\"a\"}],\"placement\":\"nope\"}");
    check("{\"shards\":[{\"id\":\"a\"}],\"placement\":\"\"}");
    check("{\"shards\":[{\"id\":\"a\"},{\"id\":\"a\"}]}");
    check("{\"shards\":[{\"id\":\"a\",\"state\":\"down\"}]}");
    check("{\"shards\":[{\"id\":\"a\"}],\"roomKeys\":{\"signallingPaths\":[null]}}");
    check("{\"shards\":[{\"id\":\"a\"}],\"roomKeys\":{\"signallingPaths\":[\"a b\"]}}");
    check("{\"shards\":[{\"id\":\"a\"}],\"roomKeys\":null}");
    check("{\"shards\":[{\"id\":\"a\",\"backend\":\"\"}]}");
    check("{\"shards\":[{\"id\":\"a\",\"backend\":\"x\"},{\"id\":\"b\",\"backend\":\"x\"}]}");
    check("{\"shards\":[{\"id\":\"a\",\"backend\":\"shard_b\"},{\"id\":\"b\"}]}");
  }

  private static void check(String text) {
    for (Function<String, Topology> parser : List.<Function<String, Topology>>of(TopologyFiles::parseJson,
        TopologyFiles::parseYaml)) {
      Topology t;
      try {
        t = parser.apply(text);
      } catch (TopologyException e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank());
        continue;
      } catch (RuntimeException | StackOverflowError e) {
        fail("topology text threw " + e + ": " + io.bridgekeeper.routing.internal.Printable.of(text, 300), e);
        return;
      }
      // Accepted: it must be usable all the way to a routing table.
      try {
        RoutingTable table = RoutingTable.of(t);
        assertTrue(table.bucketCount() >= 1);
        assertTrue(t.shards().stream().map(Shard::backend).distinct().count() == t.shards().size(),
            () -> "two shards share a backend: " + t);
      } catch (RuntimeException e) {
        fail("accepted topology fails later: " + t + ": " + e, e);
      }
    }
  }
}
