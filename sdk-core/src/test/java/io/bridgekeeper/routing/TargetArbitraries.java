package io.bridgekeeper.routing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Request targets for properties: every URL form, with hostile pieces mixed in. */
public final class TargetArbitraries {
  private TargetArbitraries() {}

  /** Targets assembled from the pieces that matter, with hostile pieces mixed in. */
  public static Arbitrary<String> targets() {
    Arbitrary<String> piece = Arbitraries.of(
        "a", "B", "Room", "%41", "%c3%a9", "%C3%89", "%2F", "%25", "%", "%4", "%zz", "%00", "%7f",
        "+", "%20", ".", "/", "?", "&", ";", "=", "room=", "room", "Room=", "#", " ", "é", "~",
        "http-bind", "xmpp-websocket", "conference-request/v1", "_unlock", "libs", "static",
        "room-size", "_health", "config.js", "tenant", "%0a", "\t");
    Arbitrary<String> tail = piece.list().ofMaxSize(8).map(l -> String.join("", l));
    Arbitrary<String> prefix = Arbitraries.of("/", "/http-bind?", "/t/http-bind?", "/xmpp-websocket?a=1&",
        "/conference-request/v1?", "/_unlock?room=", "/http-bind?room=", "/t/", "//", "http://h/",
        "HTTPS://h", "", "*", "/libs/", "/a/b/", "/http-bind;x?room=");
    Arbitrary<String> lengthy = Arbitraries.strings().withChars("aB%4.").ofMinLength(60).ofMaxLength(80)
        .map(s -> "/http-bind?room=" + s);
    return Arbitraries.oneOf(Combinators.combine(prefix, tail).as(String::concat), lengthy);
  }
}
