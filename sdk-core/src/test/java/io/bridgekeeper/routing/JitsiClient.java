package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.RoomNames;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** What a jitsi-meet client puts after {@code ?room=}: getBackendSafeRoomName, in Java. */
final class JitsiClient {
  private static final String UNRESERVED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";

  private JitsiClient() {}

  /** decode (best effort), NFKC, lowercase, encodeURIComponent, lowercase again. */
  static String backendSafeRoomName(String room) {
    byte[] utf8 = RoomNames.normalise(room);
    return encodeUriComponent(new String(utf8, StandardCharsets.UTF_8)).toLowerCase(Locale.ROOT);
  }

  static String encodeUriComponent(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 0x80 && UNRESERVED.indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }
}
