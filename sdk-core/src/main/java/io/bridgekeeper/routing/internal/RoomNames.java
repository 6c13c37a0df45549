package io.bridgekeeper.routing.internal;

import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoomKeyException.Reason;
import io.bridgekeeper.routing.RoomKeyRules;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Room-name normalisation with jitsi-meet parity, and the checks every key passes.
 *
 * <p>Mirrors {@code jitsi/jitsi-meet:react/features/base/util/uri.ts getBackendSafeRoomName}:
 * {@code decodeURIComponent} (ignored when it throws), {@code normalize('NFKC')},
 * {@code toLowerCase()}; the client then percent-encodes the result into {@code ?room=}, which
 * HAProxy decodes back to the UTF-8 bytes this class returns. Stateless and thread-safe.
 */
public final class RoomNames {
  private RoomNames() {}

  /** Key bytes for {@code tenant/room} (or just the room when {@code tenant} is null or empty). */
  public static byte[] keyBytes(String tenant, String roomName, RoomKeyRules rules) {
    if (roomName == null) {
      throw new RoomKeyException(Reason.MISSING_ROOM, -1, "room name is null");
    }
    byte[] room = normalise(roomName);
    if (room.length == 0) {
      throw new RoomKeyException(Reason.EMPTY_ROOM, -1, "room name is empty");
    }
    byte[] key = room;
    if (tenant != null && !tenant.isEmpty()) {
      byte[] t = tenantBytes(tenant);
      key = new byte[t.length + 1 + room.length];
      System.arraycopy(t, 0, key, 0, t.length);
      key[t.length] = '/';
      System.arraycopy(room, 0, key, t.length + 1, room.length);
    }
    validateKeyBytes(key, key.length, rules);
    return key;
  }

  /**
   * A tenant as HAProxy reads it from the path: jitsi-meet does not normalise the tenant (its
   * {@code config.js} builds {@code 'https://host/' + subdir + 'http-bind'} from the page's own
   * path), so the key holds the percent-decoded UTF-8 bytes with ASCII letters lowercased — the
   * generated configuration's {@code url_dec,lower} — not NFKC and Unicode lowercase like a room.
   */
  public static byte[] tenantBytes(String tenant) {
    byte[] t = decodeUriComponentOrKeep(tenant).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < t.length; i++) {
      if (t[i] >= 'A' && t[i] <= 'Z') {
        t[i] += 'a' - 'A';
      }
    }
    return t;
  }

  /** Jitsi's backend-safe form of a name, as UTF-8 (before the client percent-encodes it). */
  public static byte[] normalise(String name) {
    String s = decodeUriComponentOrKeep(name);
    s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    s = s.toLowerCase(Locale.ROOT);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1));
        if (!paired) {
          // encodeURIComponent throws URIError here: the Jitsi client could never send this room.
          throw new RoomKeyException(Reason.INVALID_UNICODE, i,
              "room name has an unpaired surrogate at index " + i);
        }
        i++;
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * JavaScript's {@code decodeURIComponent}, returning the input unchanged where it would throw (a
   * malformed escape, or escapes that are not valid UTF-8), as {@code getBackendSafeRoomName} does.
   */
  public static String decodeUriComponentOrKeep(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return s;
        }
        if (!isAsciiHex(s.charAt(i + 1)) || !isAsciiHex(s.charAt(i + 2))) {
          return s;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        pending.write(hi << 4 | lo);
        i += 3;
      } else {
        if (!flush(pending, utf8, out)) {
          return s;
        }
        out.append(c);
        i++;
      }
    }
    return flush(pending, utf8, out) ? out.toString() : s;
  }

  private static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean flush(ByteArrayOutputStream pending, CharsetDecoder utf8, StringBuilder out) {
    if (pending.size() == 0) {
      return true;
    }
    try {
      CharBuffer decoded = utf8.reset().decode(ByteBuffer.wrap(pending.toByteArray()));
      out.append(decoded);
      pending.reset();
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The checks every key passes: non-empty, bounded, no ASCII control byte. */
  public static void validateKeyBytes(byte[] key, int len, RoomKeyRules rules) {
    if (len == 0) {
      throw new RoomKeyException(Reason.EMPTY_ROOM, -1, "room key is empty");
    }
    if (len > rules.maxKeyBytes()) {
      throw new RoomKeyException(Reason.TOO_LONG, rules.maxKeyBytes(),
          "room key is " + len + " bytes long, the maximum is " + rules.maxKeyBytes());
    }
    for (int i = 0; i < len; i++) {
      int b = key[i] & 0xff;
      if (b < 0x20 || b == 0x7f) {
        throw new RoomKeyException(Reason.CONTROL_CHARACTER, i,
            String.format(Locale.ROOT, "room key has control byte 0x%02X at byte %d", b, i));
      }
    }
  }
}
