package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bridgekeeper.routing.RoomKeyException.Reason;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request targets whose key (hex) and CRC were read off HAProxy 2.6.12 on 127.0.0.1 with
 * {@code url_param(room),url_dec,lower} and {@code crc32}; the Java scanner must agree exactly.
 */
class RequestTargetExamplesTest {
  private static final RoomKeyRules RULES = RoomKeyRules.defaults();

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ' ', value = {
      "/http-bind?room=MyRoom 6d79726f6f6d 2729554206",
      "/http-bind?a=1&room=AB&room=CD 6162 2659403885",
      "/http-bind?a=1;room=AB 6162 2659403885",
      "/http-bind?xroom=AB&room=CD 6364 1171689434",
      "/http-bind?room=a+b%20c 612b622063 523209425",
      "/http-bind?room=caf%C3%89 636166c389 2747490941",
      "/xmpp-websocket?room=a%3Bb&x 613b62 693802825",
      "/xmpp-websocket?room=a=b 613d62 2130718927",
      "/_unlock?&&room=q 71 4110462503",
      "/conference-request/v1?a=1?room=b 62 1908338681",
      "/http-bind??room=c 63 112844655",
      "/http-bind?;room=d 64 2564639436",
      "/http-bind?room=e=f&room=g 653d66 2137283594",
      "/http-bind?roomy=1&room=h 68 2439710439",
      "/http-bind?room%3Dz=1&room=i 69 3865851505",
      "/http-bind?a=room=j&room=k 6b 140662621",
      "/http-bind?room&room=l 6c 2517025534",
      "/http-bind?room;room=m 6d 3775001192",
      "/http-bind?room=a?b 61 3904355907",
      "/http-bind?room=a/b 612f62 133447708",
      "/http-bind?room=%41%42 6162 2659403885",
      "/http-bind?room=%e2%82%ac e282ac 2213726422",
      "/tenant/xmpp-websocket?room=a\"b 612262 2992258641",
      "http://host/tenant/http-bind?room=Q 71 4110462503",
  })
  void keyMatchesHaproxy(String target, String hex, String crc) {
    Optional<RoomKey> key = RULES.keyOfRequestTarget(target);
    assertTrue(key.isPresent(), target);
    assertEquals(hex, key.get().toHex());
    if (!crc.equals("-")) {
      assertEquals(Long.parseLong(crc), key.get().crc32());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ' ', value = {
      "/MyRoom myroom",
      "/tenant/MyRoom myroom",
      "/Tenant/Caf%C3%89 caf%C3%89",
      "/a+b a+b",
      "https://meet.example.com/team/Standup standup",
      // Not signalling: HAProxy's path_end is exact and case-sensitive, so these are page names.
      "/http-bind;room=zz?room=yy http-bind;room=zz",
      "/HTTP-BIND?room=x http-bind",
  })
  void pageUrls(String target, String expected) {
    assertEquals(expected, RULES.keyOfRequestTarget(target).orElseThrow().toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ' ', value = {
      "/", "/config.js", "/libs/app.bundle.min.js", "/static/close.html", "/a/b/c", "//x",
      "/t/", "/my.room", "/t.x/room", "/libs/room", "/room-size", "/tenant/_health", "*",
"/a/b/http-bind?room=x", "http://host",
  })
  void noRoom(String target) {
    assertEquals(Optional.empty(), RULES.keyOfRequestTarget(target));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ' ', value = {
      "/http-bind?room=A%2 MALFORMED_ESCAPE",
      "/http-bind?room=A%zz MALFORMED_ESCAPE",
      "/Bad%G1 MALFORMED_ESCAPE",
      "/http-bind MISSING_ROOM",
      "/http-bind?Room=AB MISSING_ROOM",
      "/http-bind?room MISSING_ROOM",
      "/tenant/xmpp-websocket?token=1 MISSING_ROOM",
      "/http-bind?room=&x=1 EMPTY_ROOM",
      "/http-bind?room=a%00b CONTROL_CHARACTER",
      "/http-bind?room=a%7Fb CONTROL_CHARACTER",
      "/http-bind?room=a%0Ab CONTROL_CHARACTER",
      "/http-bind?room=a#frag INVALID_CHARACTER",
      "MyRoom MALFORMED_TARGET",
      "http://host?room=x MALFORMED_TARGET",
  })
  void rejected(String target, Reason reason) {
    RoomKeyException e = assertThrows(RoomKeyException.class, () -> RULES.keyOfRequestTarget(target));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  /** HAProxy 2.6.12 accepted each of these raw in the query and kept it in the key. */
  @Test
  void rawPunctuationIsKept() {
    for (char c : "\"<>{}|\\^`'[]!$(*,:@~".toCharArray()) {
      RoomKey key = RULES.keyOfRequestTarget("/http-bind?room=A" + c + "B").orElseThrow();
      assertEquals(String.format("61%02x62", (int) c), key.toHex(), "char " + c);
    }
  }

  @Test
  void rawSpaceNonAsciiAndEmptyAreRejected() {
    assertEquals(Reason.INVALID_CHARACTER,
        assertThrows(RoomKeyException.class, () -> RULES.keyOfRequestTarget("/http-bind?room=a b")).reason());
    RoomKeyException e = assertThrows(RoomKeyException.class, () -> RULES.keyOfRequestTarget("/café"));
    assertEquals(Reason.INVALID_CHARACTER, e.reason());
    assertEquals(4, e.position());
    assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
    assertEquals(Reason.MALFORMED_TARGET,
        assertThrows(RoomKeyException.class, () -> RULES.keyOfRequestTarget("")).reason());
  }

  @Test
  void tooLongIsRejectedAndMaximumIsAccepted() {
    String max = "a".repeat(RoomKeyRules.DEFAULT_MAX_KEY_BYTES);
    assertEquals(max.length(), RULES.keyOfRequestTarget("/http-bind?room=" + max).orElseThrow().length());
    assertEquals(Reason.TOO_LONG, assertThrows(RoomKeyException.class,
        () -> RULES.keyOfRequestTarget("/http-bind?room=" + max + "a")).reason());
    // Escapes count once decoded: 2,048 bytes from 6,144 characters.
    String escaped = "%C3%A9".repeat(RoomKeyRules.DEFAULT_MAX_KEY_BYTES / 2);
    assertEquals(RoomKeyRules.DEFAULT_MAX_KEY_BYTES,
        RULES.keyOfRequestTarget("/http-bind?room=" + escaped).orElseThrow().length());
  }

  @Test
  void tenantInKey() {
    RoomKeyRules withTenant = RULES.withTenantInKey(true);
    assertEquals("acme/room", withTenant.keyOfRequestTarget("/ACME/http-bind?room=Room").orElseThrow().toString());
    assertEquals("acme/room", withTenant.keyOfRequestTarget("/Acme/Room").orElseThrow().toString());
    assertEquals("room", withTenant.keyOfRequestTarget("/http-bind?room=Room").orElseThrow().toString());
    assertEquals(withTenant.keyOfRoomName("Acme", "Room"),
        withTenant.keyOfRequestTarget("/acme/xmpp-websocket?room=room").orElseThrow());
    // The tenant is the path's bytes with ASCII letters lowercased (HAProxy's url_dec,lower), not
    // Unicode-lowercased or NFKC-normalised like a room name.
    assertEquals(withTenant.keyOfRoomName("CAFÉ", "Room"),
        withTenant.keyOfRequestTarget("/CAF%C3%89/xmpp-websocket?room=room").orElseThrow());
    assertEquals("caf\u00c9/room", new String(withTenant.keyOfRoomName("CAFÉ", "Room").bytes(),
        java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(withTenant.keyOfRoomName("caf%C3%89", "Room"), withTenant.keyOfRoomName("CAFÉ", "Room"),
        "an encoded tenant is decoded");
    assertEquals(Reason.MALFORMED_ESCAPE, assertThrows(RoomKeyException.class,
        () -> withTenant.keyOfRequestTarget("/ac%zme/http-bind?room=r")).reason());
    // Without the tenant in the key, the tenant is not decoded (HAProxy never looks at it).
    assertEquals("r", RULES.keyOfRequestTarget("/ac%zme/http-bind?room=r").orElseThrow().toString());
  }

  /** A key made with the default rules can exceed a topology's smaller limit: refused the same way a target is. */
  @Test
  void aKeyLongerThanTheTopologyAllowsIsRefusedEitherWay() {
    Topology small = Topology.builder().roomKeys(RULES.withMaxKeyBytes(16)).shard(Shard.of("a")).build();
    RoutingTable table = RoutingTable.of(small);
    String room = "a".repeat(17);
    RoomKeyException byKey = assertThrows(RoomKeyException.class, () -> table.route(RoomKey.ofRoomName(room)));
    RoomKeyException byTarget = assertThrows(RoomKeyException.class, () -> table.route("/http-bind?room=" + room));
    assertEquals(Reason.TOO_LONG, byKey.reason());
    assertEquals(Reason.TOO_LONG, byTarget.reason());
    assertTrue(byKey.getMessage().contains("17 bytes") && byKey.getMessage().contains("16"), byKey.getMessage());
    assertEquals("a", table.route(RoomKey.ofRoomName("a".repeat(16))).id());
  }

  /** Same buckets, other keys for the same request: the tables do not route alike, so their fingerprints differ. */
  @Test
  void theFingerprintCoversTheRoomKeyRules() {
    Topology plain = Topology.of("a", "b");
    String fingerprint = RoutingTable.of(plain).fingerprint();
    assertEquals(fingerprint, RoutingTable.of(Topology.of("b", "a")).fingerprint());
    for (RoomKeyRules other : List.of(RULES.withTenantInKey(true), RULES.withMaxKeyBytes(100),
        new RoomKeyRules(false, 2048, List.of("http-bind"), RoomKeyRules.DEFAULT_STATIC_DIRECTORIES,
            RoomKeyRules.DEFAULT_RESERVED_NAMES))) {
      assertTrue(!fingerprint.equals(RoutingTable.of(plain.toBuilder().roomKeys(other).build()).fingerprint()),
          other::toString);
    }
  }

  @Test
  void crcVectors() {
    CRC32 crc = new CRC32();
    crc.update("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(0xCBF43926L, crc.getValue());
    assertEquals(2729554206L, RoomKey.ofRoomName("myroom").crc32());
    assertEquals(2729554206L, RoomKey.ofRoomName("MyRoom").crc32());
    assertEquals(2729554206L % 1024, RoomKey.ofRoomName("myroom").bucket(1024));
    assertEquals(2729554206L % 1000, RoomKey.ofRoomName("myroom").bucket(1000));
    assertEquals(0xCBF43926L, RoomKey.ofKeyBytes("123456789".getBytes()).crc32());
  }

  @Test
  void roomNamesFollowJitsiNormalisation() {
    assertEquals("café", new String(RoomKey.ofRoomName("CAFÉ").bytes(), java.nio.charset.StandardCharsets.UTF_8));
    // NFKC folds the ligature and the full-width letters before lowercasing.
    assertEquals(RoomKey.ofRoomName("office"), RoomKey.ofRoomName("Oﬃce"));
    assertEquals(RoomKey.ofRoomName("abc"), RoomKey.ofRoomName("ＡＢＣ"));
    // decodeURIComponent first, kept as is when it would throw.
    assertEquals(RoomKey.ofRoomName("a b"), RoomKey.ofRoomName("a%20b"));
    assertEquals("a%25zz", RoomKey.ofRoomName("a%zz").toString());
    assertEquals("%25c3", RoomKey.ofRoomName("%C3").toString());
    assertEquals(Reason.INVALID_UNICODE,
        assertThrows(RoomKeyException.class, () -> RoomKey.ofRoomName("a\uD800b")).reason());
    assertEquals(Reason.EMPTY_ROOM, assertThrows(RoomKeyException.class, () -> RoomKey.ofRoomName("")).reason());
    assertEquals(Reason.CONTROL_CHARACTER,
        assertThrows(RoomKeyException.class, () -> RoomKey.ofRoomName("a\tb")).reason());
    assertEquals(Reason.INVALID_CHARACTER,
        assertThrows(RoomKeyException.class, () -> RoomKey.ofKeyBytes("Ab".getBytes())).reason());
    assertEquals("61", HexFormat.of().formatHex(RoomKey.ofKeyBytes(new byte[] {'a'}).bytes()));
  }
}
