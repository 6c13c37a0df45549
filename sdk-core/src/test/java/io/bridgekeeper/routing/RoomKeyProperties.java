package io.bridgekeeper.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class RoomKeyProperties {
  private static final RoomKeyRules RULES = RoomKeyRules.defaults();
  private static final RoomKeyRules TENANT_RULES = RULES.withTenantInKey(true);

  /** A room typed by a user, encoded by the Jitsi client, read back from any signalling URL. */
  @Property(tries = 2000)
  void roundTripThroughEveryClientUrl(@ForAll("roomNames") String name, @ForAll("signallingForms") String form) {
    RoomKey fromName;
    try {
      fromName = RULES.keyOfRoomName(name);
    } catch (RoomKeyException e) {
      // The name itself is unusable; the URL the client would build must be refused too.
      String encoded = safeEncode(name);
      if (encoded != null) {
        assertTrue(throwsOrEmpty(form.replace("{room}", encoded)), form + " with " + encoded);
      }
      return;
    }
    String target = form.replace("{room}", JitsiClient.backendSafeRoomName(name));
    assertEquals(Optional.of(fromName), RULES.keyOfRequestTarget(target), target);
  }

  /** Page URLs that jitsi-meet navigates to carry the backend-safe name too. */
  @Property(tries = 1000)
  void roundTripThroughPageUrls(@ForAll("roomNames") String name, @ForAll("tenants") String tenant) {
    RoomKey fromName;
    try {
      fromName = TENANT_RULES.keyOfRoomName(tenant, name);
    } catch (RoomKeyException e) {
      return;
    }
    String room = JitsiClient.backendSafeRoomName(name);
    if (room.contains(".") || RULES.reservedNames().contains(room)
        || (!tenant.isEmpty() && RULES.staticDirectories().contains(tenant))) {
      return; // served as a static file by the rules; covered by the model property
    }
    // The browser percent-encodes the tenant segment of the path as it is, without normalising it.
    String target = (tenant.isEmpty() ? "" : "/" + JitsiClient.encodeUriComponent(tenant)) + "/" + room;
    assertEquals(Optional.of(fromName), TENANT_RULES.keyOfRequestTarget(target), target);
    assertEquals(Optional.of(fromName),
        TENANT_RULES.keyOfRequestTarget(target.substring(0, target.lastIndexOf('/')) + "/xmpp-websocket?room=" + room),
        target);
    assertEquals(Optional.of(RULES.keyOfRoomName(name)), RULES.keyOfRequestTarget(target), target);
  }

  /** The fast scanner and the naive regex model agree on every target, tenant in key or not. */
  @Property(tries = 5000)
  void scannerAgreesWithModel(@ForAll("targets") String target, @ForAll boolean tenantInKey) {
    RoomKeyRules rules = RULES.withTenantInKey(tenantInKey).withMaxKeyBytes(64);
    Optional<byte[]> expected;
    try {
      expected = HaproxyModel.key(target, rules);
    } catch (HaproxyModel.Bad bad) {
      expected = null;
    }
    Optional<RoomKey> actual;
    try {
      actual = rules.keyOfRequestTarget(target);
    } catch (RoomKeyException e) {
      assertNull(expected, () -> "model accepts " + target + " but scanner says " + e.getMessage());
      return;
    }
    assertNotNull(expected, () -> "model rejects " + target);
    assertEquals(expected.map(Arrays::toString), actual.map(RoomKey::bytes).map(Arrays::toString), target);
  }

  /** Anything at all: a key or a typed refusal, never another exception. */
  @Property(tries = 3000)
  void arbitraryInputGivesKeyOrTypedError(@ForAll @StringLength(max = 300) String anything) {
    try {
      RULES.keyOfRequestTarget(anything)
          .ifPresent(k -> assertTrue(k.length() >= 1 && k.length() <= RULES.maxKeyBytes()));
    } catch (RoomKeyException e) {
      assertFalse(e.getMessage().isBlank());
    }
    try {
      RoomKey k = RULES.keyOfRoomName(anything);
      for (byte b : k.bytes()) {
        assertTrue((b & 0xff) >= 0x20 && b != 0x7f);
      }
    } catch (RoomKeyException e) {
      assertNotNull(e.reason());
    }
  }

  /** Keys are lowercase in their ASCII letters, whatever the target. */
  @Property(tries = 1000)
  void keysHaveNoUppercaseAscii(@ForAll("targets") String target) {
    Optional<RoomKey> key;
    try {
      key = RULES.keyOfRequestTarget(target);
    } catch (RoomKeyException e) {
      return;
    }
    for (byte b : key.map(RoomKey::bytes).orElse(new byte[0])) {
      assertFalse(b >= 'A' && b <= 'Z');
    }
  }

  /** The case of the room value (letters and hex digits of escapes) never changes the key. */
  @Property(tries = 1000)
  void roomValueCaseDoesNotMatter(@ForAll("signallingForms") String form, @ForAll("roomValues") String value) {
    String lower = form.replace("{room}", value.toLowerCase(java.util.Locale.ROOT));
    String upper = form.replace("{room}", value.toUpperCase(java.util.Locale.ROOT));
    Optional<RoomKey> a;
    try {
      a = RULES.keyOfRequestTarget(lower);
    } catch (RoomKeyException e) {
      RoomKeyException e2 = org.junit.jupiter.api.Assertions.assertThrows(RoomKeyException.class,
          () -> RULES.keyOfRequestTarget(upper));
      assertEquals(e.reason(), e2.reason(), upper);
      return;
    }
    assertEquals(a, RULES.keyOfRequestTarget(upper), upper);
  }

  @Provide
  Arbitrary<String> roomValues() {
    return Arbitraries.of("a", "Room", "%c3%a9", "%C3%89", "%2f", "%20", "+", "x", "%zz", "%4", "~", ".", "%7f")
        .list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("", l));
  }

  private static boolean throwsOrEmpty(String target) {
    try {
      return RULES.keyOfRequestTarget(target).isEmpty();
    } catch (RoomKeyException e) {
      return true;
    }
  }

  private static String safeEncode(String name) {
    try {
      return JitsiClient.backendSafeRoomName(name);
    } catch (RoomKeyException e) {
      return null;
    }
  }

  @Provide
  Arbitrary<String> roomNames() {
    Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(0).ofMaxLength(40);
    Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(20);
    Arbitrary<String> typical = Arbitraries.of("MyRoom", "Café", "CAFÉ", "Oﬃce", "ＡＢＣ", "Straße",
        "İstanbul", "ΣΟΦΟΣ", "日本語の部屋", "a b", "a+b", "a%20b", "100%", "x%zz", "emoji 🎉 room",
        "Ǆ", "ß", "ﬀ", "\u212A", "e\u0301", "a.b", "room#1", "a&b=c", "a;b", "a?b", "a/b");
    Arbitrary<String> mixed = Combinators.combine(typical, ascii).as((a, b) -> a + b);
    return Arbitraries.oneOf(ascii, unicode, typical, mixed);
  }

  @Provide
  Arbitrary<String> tenants() {
    // Non-ASCII tenants: HAProxy lowercases ASCII letters only and never NFKC-normalises.
    return Arbitraries.of("", "acme", "Tenant", "team-1", "libs", "x_y", "CAFÉ", "Café", "ﬁrma", "ÉQUIPE-Ω");
  }

  @Provide
  Arbitrary<String> signallingForms() {
    return Arbitraries.of(
        "/http-bind?room={room}",
        "/xmpp-websocket?room={room}",
        "/conference-request/v1?room={room}",
        "/_unlock?room={room}",
        "/acme/http-bind?room={room}",
        "/Acme/xmpp-websocket?room={room}&token=abc",
        "/xmpp-websocket?previd=1;room={room}&x=y",
        "https://meet.example.com/t/http-bind?room={room}",
        "/http-bind?roomx=1&room={room}&room=other");
  }

  @Provide
  Arbitrary<String> targets() {
    return TargetArbitraries.targets();
  }
}
