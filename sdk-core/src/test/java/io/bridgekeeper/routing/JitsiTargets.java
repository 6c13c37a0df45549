package io.bridgekeeper.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Request targets as Jitsi clients and browsers send them, over every URL form of the routing
 * contract: page URLs ({@code /R}, {@code /T/R}) and every signalling endpoint with and without a
 * tenant, with extra query parameters before and after {@code room=}. Room names mix case,
 * non-ASCII letters, {@code +}, spaces as {@code %20}, and escapes in either hex case.
 * Deterministic for a seed.
 */
public final class JitsiTargets {
  private static final String[] WORDS = {"Meeting", "standup", "Café", "ΣΟΦΟΣ", "日本語", "a+b", "Crème Brûlée",
      "team", "Oﬃce", "ŞİŞLİ", "x", "Q3-Review", "emoji🎉", "100%", "naïve", "Zürich", "room_1"};
  private static final String[] TENANTS = {"acme", "ACME", "Big-Corp", "t1", "m%C3%BCnchen"};
  private static final String[] SIGNALLING = {"http-bind", "xmpp-websocket", "conference-request/v1", "_unlock"};

  private JitsiTargets() {}

  /** {@code n} targets from {@code seed}; every one carries a room. */
  public static List<String> generate(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> targets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String room = encodeRoom(roomName(rnd), rnd);
      String tenant = rnd.nextInt(3) == 0 ? "/" + TENANTS[rnd.nextInt(TENANTS.length)] : "";
      int form = rnd.nextInt(6);
      targets.add(switch (form) {
        case 0, 1 -> tenant + "/" + room;
        default -> {
          String endpoint = SIGNALLING[rnd.nextInt(SIGNALLING.length)];
          String before = rnd.nextInt(3) == 0 ? "token=abc.def&" : "";
          String after = rnd.nextInt(3) == 0 ? "&rid=" + rnd.nextInt(1000) : "";
          yield tenant + "/" + endpoint + "?" + before + "room=" + room + after;
        }
      });
    }
    return targets;
  }

  private static String roomName(SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder(WORDS[rnd.nextInt(WORDS.length)]);
    int more = rnd.nextInt(3);
    for (int i = 0; i < more; i++) {
      sb.append(rnd.nextBoolean() ? " " : "").append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return sb.append(rnd.nextInt(100_000)).toString();
  }

  /** Percent-encodes what must be, sometimes more, in random hex case; flips ASCII letter case. */
  private static String encodeRoom(String room, SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    for (byte b : room.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '+';
      if (plain && rnd.nextInt(8) != 0) {
        char ch = (char) c;
        sb.append(rnd.nextBoolean() ? Character.toUpperCase(ch) : ch);
      } else {
        String hex = String.format("%02X", c);
        sb.append('%').append(rnd.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
      }
    }
    return sb.toString();
  }
}
