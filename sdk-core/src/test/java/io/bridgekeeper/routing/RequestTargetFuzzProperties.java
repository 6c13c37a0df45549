package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reliability fuzzing of the two ways a room reaches the router: raw request targets (as HAProxy
 * reads them) and room names (as a user types them). Random bytes, every percent-escape shape,
 * invalid UTF-8 behind escapes, control characters, unpaired surrogates, huge inputs. Whatever
 * comes in, the answer is a key (bounded, no control byte), "no room", or a {@link RoomKeyException}
 * with a reason, a position inside the input and a message — never another exception.
 */
class RequestTargetFuzzProperties {
  private static final RoomKeyRules RULES = RoomKeyRules.defaults();
  private static final RoomKeyRules TENANT_RULES = RULES.withTenantInKey(true).withMaxKeyBytes(100);
  private static final Router ROUTER = Router.create(Topology.of("s1", "s2", "s3"));

  // ------------------------------------------------------------------ generators

  /** Raw bytes as HAProxy's parser sees them, one char per byte (ISO-8859-1). */
  @Provide
  Arbitrary<String> rawByteTargets() {
    Arbitrary<String> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .map(b -> new String(b, StandardCharsets.ISO_8859_1));
    Arbitrary<String> prefix = Arbitraries.of("", "/", "/http-bind?room=", "/t/xmpp-websocket?room=", "/t/", "http://h/");
    return Combinators.combine(prefix, bytes).as(String::concat);
  }

  /** Every shape a percent escape can take, in every position of a room value. */
  @Provide
  Arbitrary<String> escapeShapes() {
    Arbitrary<Character> hexish = Arbitraries.of('0', '1', '7', '9', 'a', 'A', 'c', 'C', 'f', 'F', 'g', 'G', 'z',
        '%', '+', '/', '?', '&', ';', '=', '.', '-', '~', '\u00e9', ' ', '\u0000', '\n', '\u007f');
    Arbitrary<String> escape = Arbitraries.oneOf(
        Arbitraries.just("%"),
        hexish.map(c -> "%" + c),
        Combinators.combine(hexish, hexish).as((a, b) -> "%" + a + b),
        Arbitraries.integers().between(0, 255).map(i -> String.format("%%%02x", i)),
        Arbitraries.integers().between(0, 255).map(i -> String.format("%%%02X", i)),
        Arbitraries.of("%u00e9", "%%", "%%%", "%2", "%25", "%2525", "%252", "%+1", "%-1", "%0x"));
    Arbitrary<String> text = Arbitraries.oneOf(escape, Arbitraries.of("a", "B", "+", "room", "x=y", "&", ";"));
    Arbitrary<String> value = text.list().ofMinSize(1).ofMaxSize(12).map(l -> String.join("", l));
    Arbitrary<String> form = Arbitraries.of("/http-bind?room=", "/t/conference-request/v1?x=1&room=",
        "/_unlock;room=", "/", "/t/", "/t/", "/xmpp-websocket?room=a&room=");
    return Combinators.combine(form, value).as(String::concat);
  }

  /** Escapes whose bytes are not valid UTF-8: overlong, truncated, surrogates, out of range. */
  @Provide
  Arbitrary<String> invalidUtf8Escapes() {
    Arbitrary<String> bad = Arbitraries.of("%C0%AF", "%C3", "%C3%28", "%E2%82", "%ED%A0%80", "%ED%BF%BF",
        "%F4%90%80%80", "%F8%88%80%80%80", "%FF", "%FE%FF", "%80", "%BF", "%E0%80%AF", "%F0%80%80%AF");
    Arbitrary<String> good = Arbitraries.of("a", "room", "%C3%A9", "%e2%82%ac", "x");
    Arbitrary<String> value = Arbitraries.oneOf(bad, good).list().ofMinSize(1).ofMaxSize(6)
        .map(l -> String.join("", l));
    Arbitrary<String> form = Arbitraries.of("/http-bind?room=", "/t/xmpp-websocket?room=", "/x", "/tenant/x");
    return Combinators.combine(form, value).as(String::concat);
  }

  /** Huge targets around and far beyond the key limit: long rooms, long escapes, long tenants. */
  @Provide
  Arbitrary<String> hugeTargets() {
    Arbitrary<Integer> len = Arbitraries.oneOf(Arbitraries.of(2047, 2048, 2049, 4096, 100_000),
        Arbitraries.integers().between(1, 70_000));
    Arbitrary<String> unit = Arbitraries.of("a", "%41", "%c3%a9", "A", "+", "%2");
    return Combinators.combine(Arbitraries.of("/http-bind?room=", "/", "/t/", "/http-bind?x=", "/acme/http-bind?room="),
        unit, len).as((form, u, n) -> form + u.repeat(Math.max(1, n / u.length())));
  }

  /** Room names: any UTF-16 (unpaired surrogates included), control characters, escapes, huge. */
  @Provide
  Arbitrary<String> roomNames() {
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(200);
    Arbitrary<String> surrogates = Arbitraries.strings().withCharRange('\ud7f0', '\ue010').ofMaxLength(20);
    Arbitrary<String> controls = Arbitraries.strings().withCharRange('\u0000', '\u0020').withChars("a\u007f\u0085\u2028")
        .ofMaxLength(20);
    Arbitrary<String> escaped = escapeShapes().map(s -> s.substring(s.indexOf('=') + 1));
    Arbitrary<String> huge = Arbitraries.of("a", "\u00e9", "\ufb01", "\u2460", "%41", "\ud83d\ude00")
        .flatMap(u -> Arbitraries.integers().between(1000, 5000).map(u::repeat));
    return Arbitraries.oneOf(anyChars, surrogates, controls, escaped, huge);
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 3000)
  void rawBytesGiveAKeyOrATypedError(@ForAll("rawByteTargets") String target) {
    checkTarget(target);
  }

  @Property(tries = 3000)
  void everyEscapeShapeGivesAKeyOrATypedError(@ForAll("escapeShapes") String target) {
    checkTarget(target);
  }

  @Property(tries = 1000)
  void invalidUtf8BehindEscapesIsKeptAsBytes(@ForAll("invalidUtf8Escapes") String target) {
    // HAProxy's url_dec does not check UTF-8: the key is the decoded bytes, whatever they are.
    Optional<RoomKey> key = checkTarget(target);
    assertTrue(key.isPresent(), target);
  }

  @Property(tries = 200)
  void hugeTargetsAreBoundedOrRefusedAsTooLong(@ForAll("hugeTargets") String target) {
    Optional<RoomKey> key = checkTarget(target);
    key.ifPresent(k -> assertTrue(k.length() <= RULES.maxKeyBytes()));
  }

  @Property(tries = 2000)
  void roomNamesGiveAKeyOrATypedError(@ForAll("roomNames") String name, @ForAll("roomNames") String tenant) {
    for (RoomKeyRules rules : List.of(RULES, TENANT_RULES)) {
      try {
        checkKey(rules.keyOfRoomName(name), rules);
      } catch (RoomKeyException e) {
        checkRefusal(e, name);
      } catch (RuntimeException e) {
        fail("room name " + printable(name) + " threw " + e, e);
      }
      try {
        checkKey(rules.keyOfRoomName(tenant, name), rules);
      } catch (RoomKeyException e) {
        assertNotNull(e.reason());
        assertFalse(e.getMessage().isBlank());
      } catch (RuntimeException e) {
        fail("tenant " + printable(tenant) + " room " + printable(name) + " threw " + e, e);
      }
    }
  }

  /** A raw control character, space, '#' or non-ASCII anywhere is always refused (HAProxy: 400). */
  @Property(tries = 2000)
  void aRawForbiddenCharacterIsAlwaysRefused(@ForAll("escapeShapes") String target,
      @ForAll("forbidden") char bad, @ForAll double where) {
    int at = (int) Math.floor(Math.abs(where) % 1.0 * (target.length() + 1));
    String hostile = target.substring(0, at) + bad + target.substring(at);
    RoomKeyException e = expectRefusal(hostile);
    assertEquals(RoomKeyException.Reason.INVALID_CHARACTER, e.reason(), hostile);
    int first = 0;
    while (!isForbidden(hostile.charAt(first))) {
      first++;
    }
    assertEquals(first, e.position(), e.getMessage());
  }

  @Provide
  Arbitrary<Character> forbidden() {
    return Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u0020'), Arbitraries.of('\u007f', '#',
        '\u0080', '\u009f', '\u00a0', '\u00e9', '\u2028', '\ud800', '\udfff', '\ufffd', '\uffff'));
  }

  private static boolean isForbidden(char c) {
    return c <= 0x20 || c >= 0x7f || c == '#';
  }

  // ------------------------------------------------------------------ regression cases

  /** Inputs at the edges of the scanner's buffers and of the escape decoder, kept as examples. */
  @Example
  void regressionCases() {
    String max = "a".repeat(RULES.maxKeyBytes());
    assertEquals(RULES.maxKeyBytes(), RULES.keyOfRequestTarget("/http-bind?room=" + max).orElseThrow().length());
    assertEquals(RoomKeyException.Reason.TOO_LONG, expectRefusal("/http-bind?room=" + max + "a").reason());
    assertEquals(RoomKeyException.Reason.TOO_LONG, expectRefusal("/http-bind?room=" + "%41".repeat(2049)).reason());
    assertEquals(RoomKeyException.Reason.MALFORMED_ESCAPE, expectRefusal("/http-bind?room=a%").reason());
    assertEquals(RoomKeyException.Reason.MALFORMED_ESCAPE, expectRefusal("/http-bind?room=a%4").reason());
    assertEquals(RoomKeyException.Reason.MALFORMED_ESCAPE, expectRefusal("/http-bind?room=%%41").reason());
    assertEquals(RoomKeyException.Reason.CONTROL_CHARACTER, expectRefusal("/http-bind?room=a%00").reason());
    assertEquals(RoomKeyException.Reason.CONTROL_CHARACTER, expectRefusal("/http-bind?room=%7F").reason());
    assertEquals(RoomKeyException.Reason.MALFORMED_TARGET, expectRefusal("").reason());
    assertEquals(RoomKeyException.Reason.EMPTY_ROOM, expectRefusal("/http-bind?room=").reason());
    assertEquals(RoomKeyException.Reason.MISSING_ROOM, expectRefusal("/http-bind").reason());
    assertEquals(RoomKeyException.Reason.INVALID_CHARACTER, expectRefusal("/\ud800").reason());
    assertEquals(List.of((byte) 0xff), toList(RULES.keyOfRequestTarget("/http-bind?room=%ff").orElseThrow()));
    assertEquals(RoomKeyException.Reason.INVALID_UNICODE,
        assertThrowsKey(() -> RULES.keyOfRoomName("a\ud800")).reason());
    assertEquals(RoomKeyException.Reason.CONTROL_CHARACTER,
        assertThrowsKey(() -> RULES.keyOfRoomName("a%00b")).reason());
    assertEquals(RoomKeyException.Reason.EMPTY_ROOM, assertThrowsKey(() -> RULES.keyOfRoomName("")).reason());
    assertEquals(RoomKeyException.Reason.TOO_LONG,
        assertThrowsKey(() -> RULES.keyOfRoomName("\ufb01".repeat(1025))).reason(), "NFKC grows fi to two bytes");
  }

  // ------------------------------------------------------------------ checks

  /** Both entry points (rules and router) agree and fail only with a typed error. */
  private static Optional<RoomKey> checkTarget(String target) {
    Optional<RoomKey> key;
    try {
      key = RULES.keyOfRequestTarget(target);
    } catch (RoomKeyException e) {
      checkRefusal(e, target);
      try {
        ROUTER.route(target);
        fail("the router routed " + printable(target) + " which the rules refuse: " + e.getMessage());
      } catch (RoomKeyException routerError) {
        assertEquals(e.reason(), routerError.reason());
        assertEquals(e.position(), routerError.position());
      }
      try {
        TENANT_RULES.keyOfRequestTarget(target);
      } catch (RoomKeyException ignored) {
        // typed; the other rules may refuse for another reason
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      fail("request target " + printable(target) + " threw " + e, e);
      return Optional.empty();
    }
    key.ifPresent(k -> checkKey(k, RULES));
    Optional<Shard> routed = ROUTER.route(target);
    assertEquals(key.map(ROUTER::route), routed, target);
    return key;
  }

  private static void checkKey(RoomKey k, RoomKeyRules rules) {
    assertTrue(k.length() >= 1 && k.length() <= rules.maxKeyBytes(), () -> "key length " + k.length());
    for (byte b : k.bytes()) {
      assertTrue((b & 0xff) >= 0x20 && b != 0x7f, () -> "control byte in key " + k);
      assertFalse(b >= 'A' && b <= 'Z', () -> "uppercase ASCII in key " + k);
    }
  }

  private static void checkRefusal(RoomKeyException e, String input) {
    assertNotNull(e.reason());
    assertNotNull(e.getMessage());
    assertFalse(e.getMessage().isBlank());
    assertTrue(e.position() >= -1 && e.position() <= Math.max(input.length(), RULES.maxKeyBytes()),
        () -> "position " + e.position() + " outside the input: " + e.getMessage());
    assertTrue(e.getMessage().length() < 600, () -> "message repeats the input: " + e.getMessage().length());
    assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f),
        () -> "message carries a raw control character: " + printable(e.getMessage()));
  }

  private static RoomKeyException expectRefusal(String target) {
    try {
      Optional<RoomKey> key = RULES.keyOfRequestTarget(target);
      fail("accepted " + printable(target) + " as " + key);
      return null;
    } catch (RoomKeyException e) {
      checkRefusal(e, target);
      return e;
    }
  }

  private static RoomKeyException assertThrowsKey(org.junit.jupiter.api.function.Executable call) {
    return org.junit.jupiter.api.Assertions.assertThrows(RoomKeyException.class, call);
  }

  private static List<Byte> toList(RoomKey k) {
    List<Byte> l = new ArrayList<>();
    for (byte b : k.bytes()) {
      l.add(b);
    }
    return l;
  }

  private static String printable(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 120);
  }
}
