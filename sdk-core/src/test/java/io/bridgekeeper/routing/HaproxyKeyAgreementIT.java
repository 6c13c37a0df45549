package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Java scanner against a real HAProxy 2.6 on 127.0.0.1. HAProxy echoes what its own fetches
 * and converters make of each target — {@code path}, {@code url_param(room),url_dec,lower},
 * {@code path,field(-1,/),url_dec,lower}, the tenant segment — and whether each succeeded; the
 * routing contract's path classification then says which one is the key. The scanner must give
 * the same bytes, and refuse exactly the targets for which HAProxy has no usable key.
 */
class HaproxyKeyAgreementIT {
  private static final String CONFIG = HaproxyProcess.TEST_PREAMBLE + """
      frontend echo
          bind 127.0.0.1:{PORT}
          http-request set-var(txn.path) path
          http-request set-var(txn.has) str(1) if { url_param(room) -m found }
          http-request set-var(txn.room) url_param(room),url_dec,lower
          http-request set-var(txn.room_ok) str(1) if { var(txn.room) -m found }
          http-request set-var(txn.seg) path,field(-1,/),url_dec,lower
          http-request set-var(txn.seg_ok) str(1) if { var(txn.seg) -m found }
          http-request set-var(txn.tenant) path,field(2,/),url_dec,lower
          http-request set-var(txn.tenant_ok) str(1) if { var(txn.tenant) -m found }
          http-request return status 200 content-type text/plain lf-string "path=%[var(txn.path),hex] has=%[var(txn.has)] room=%[var(txn.room),hex] room_ok=%[var(txn.room_ok)] seg=%[var(txn.seg),hex] seg_ok=%[var(txn.seg_ok)] tenant=%[var(txn.tenant),hex] tenant_ok=%[var(txn.tenant_ok)]"
      """;

  private static Path dir;
  private static HaproxyProcess haproxy;
  private static RawHttpClient client;

  @BeforeContainer
  static void startHaproxy() throws Exception {
    dir = Files.createTempDirectory("bk-haproxy-keys");
    haproxy = HaproxyProcess.start(dir, CONFIG);
    client = new RawHttpClient(haproxy.port);
  }

  @AfterContainer
  static void stopHaproxy() throws IOException {
    if (client != null) {
      client.close();
    }
    if (haproxy != null) {
      haproxy.close();
    }
  }

  @Provide
  Arbitrary<String> targets() {
    // Whitespace cannot travel inside a request target: on the request line it is the separator
    // ("GET /a  HTTP/1.1" is the target "/a"). Java refuses it; RequestTargetExamplesTest covers that.
    return TargetArbitraries.targets().filter(t -> !t.isEmpty() && t.chars().noneMatch(c -> c <= ' '));
  }

  @Provide
  Arbitrary<RoomKeyRules> rules() {
    return Arbitraries.of(RoomKeyRules.defaults().withMaxKeyBytes(64),
        RoomKeyRules.defaults().withTenantInKey(true).withMaxKeyBytes(64));
  }

  @Property(tries = 4000)
  void scannerAgreesWithHaproxy(@ForAll("targets") String target, @ForAll("rules") RoomKeyRules rules)
      throws IOException {
    assertAgreement(target, rules);
  }

  @Example
  void jitsiClientUrlsAgree() throws IOException {
    for (String name : new String[] {"Café Crème", "ΣΟΦΟΣ", "日本語", "a+b c", "100%", "emoji 🎉", "Oﬃce"}) {
      String room = JitsiClient.backendSafeRoomName(name);
      for (String form : new String[] {"/http-bind?room=", "/acme/xmpp-websocket?token=x&room=", "/"}) {
        assertAgreement(form + room, RoomKeyRules.defaults());
        assertAgreement(form + room, RoomKeyRules.defaults().withTenantInKey(true));
      }
    }
  }

  private static void assertAgreement(String target, RoomKeyRules rules) throws IOException {
    RawHttpClient.Response response = client.get(target);
    Optional<byte[]> expected = response.status() == 400 ? null : expectedKey(parse(response.body()), rules);
    Optional<RoomKey> actual;
    try {
      actual = rules.keyOfRequestTarget(target);
    } catch (RoomKeyException e) {
      if (e.reason() == RoomKeyException.Reason.MALFORMED_TARGET) {
        // Not origin or http(s) absolute form: HAProxy either refuses it or finds no path, so
        // it has no key either (it would serve the static backend, never a shard).
        assertTrue(expected == null || expected.isEmpty(), () -> target + ": HAProxy gives key "
            + expected.map(HexFormat.of()::formatHex) + " but Java refuses: " + e.getMessage());
        return;
      }
      assertNull(expected, () -> target + ": HAProxy gives key " + expected.map(HexFormat.of()::formatHex)
          + " but Java refuses: " + e.getMessage());
      return;
    }
    assertNotNull(expected, () -> target + ": HAProxy answered " + response.status() + " " + response.body()
        + " but Java gives " + actual);
    assertEquals(expected.map(HexFormat.of()::formatHex), actual.map(RoomKey::toHex), target);
  }

  /** Which of HAProxy's values is the key, by the contract's path classification; null: no usable key. */
  private static Optional<byte[]> expectedKey(Map<String, String> echo, RoomKeyRules rules) {
    String path = new String(HexFormat.of().parseHex(echo.get("path").toLowerCase()),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    for (String s : rules.signallingPaths()) {
      Matcher m = Pattern.compile("^(?:/([^/]+))?/" + Pattern.quote(s) + "$").matcher(path);
      if (m.matches()) {
        if (echo.get("has").isEmpty() || echo.get("room_ok").isEmpty()) {
          return null;
        }
        return finish(echo, echo.get("room"), rules.tenantInKey() && m.group(1) != null, rules);
      }
    }
    Matcher page = Pattern.compile("^/(?:([^/.]+)/)?([^/.]+)$").matcher(path);
    if (!page.matches() || (page.group(1) != null && rules.staticDirectories().contains(page.group(1)))
        || rules.reservedNames().contains(page.group(2))) {
      return Optional.empty();
    }
    if (echo.get("seg_ok").isEmpty()) {
      return null;
    }
    return finish(echo, echo.get("seg"), rules.tenantInKey() && page.group(1) != null, rules);
  }

  private static Optional<byte[]> finish(Map<String, String> echo, String roomHex, boolean withTenant,
      RoomKeyRules rules) {
    ByteArrayOutputStream key = new ByteArrayOutputStream();
    if (withTenant) {
      if (echo.get("tenant_ok").isEmpty()) {
        return null;
      }
      key.writeBytes(HexFormat.of().parseHex(echo.get("tenant").toLowerCase()));
      key.write('/');
    }
    byte[] room = HexFormat.of().parseHex(roomHex.toLowerCase());
    if (room.length == 0) {
      return null;
    }
    key.writeBytes(room);
    byte[] k = key.toByteArray();
    if (k.length > rules.maxKeyBytes()) {
      return null;
    }
    for (byte b : k) {
      if ((b & 0xff) < 0x20 || b == 0x7f) {
        return null;
      }
    }
    return Optional.of(k);
  }

  private static Map<String, String> parse(String body) {
    Map<String, String> m = new HashMap<>();
    for (String part : body.trim().split(" ")) {
      int eq = part.indexOf('=');
      m.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return m;
  }

}
