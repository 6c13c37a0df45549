package io.bridgekeeper.routing.internal;

import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoomKeyException.Reason;
import io.bridgekeeper.routing.RoomKeyRules;
import java.util.Locale;

/**
 * Reads the room key out of a raw HTTP request target the way HAProxy 2.6 does, without
 * allocating: the decoded key is written into a caller's buffer.
 *
 * <p>Each rule below was checked against HAProxy 2.6.12 ({@code url_param}, {@code path},
 * {@code url_dec}, {@code lower}); see {@link RoomKeyRules} for the contract. Stateless and
 * thread-safe; the buffer is the caller's.
 */
public final class RequestTargetScanner {
  /** Returned by {@link #scan} when the target carries no room. */
  public static final int NO_ROOM = -1;

  private static final String ROOM_PARAM = "room=";

  private final RoomKeyRules rules;
  private final String[] signallingPaths;
  private final String[] staticDirectories;
  private final String[] reservedNames;

  /** A scanner for {@code rules}; reuse it, it holds no per-call state. */
  public RequestTargetScanner(RoomKeyRules rules) {
    this.rules = rules;
    this.signallingPaths = rules.signallingPaths().toArray(String[]::new);
    this.staticDirectories = rules.staticDirectories().stream().sorted().toArray(String[]::new);
    this.reservedNames = rules.reservedNames().stream().sorted().toArray(String[]::new);
  }

  /** The rules this scanner applies. */
  public RoomKeyRules rules() {
    return rules;
  }

  /**
   * Writes the key of {@code target} into {@code buf} and returns its length, or {@link #NO_ROOM}.
   * {@code buf} must hold at least {@code rules.maxKeyBytes()} bytes.
   *
   * @throws RoomKeyException when HAProxy would refuse the request or the room is unusable
   */
  public int scan(CharSequence target, byte[] buf) {
    return scan(target, new char[target.length()], buf);
  }

  /**
   * Same, reading the target through {@code charScratch} (grown for this call only when too
   * small): one bulk copy, then plain array reads.
   */
  public int scan(CharSequence target, char[] charScratch, byte[] buf) {
    int n = target.length();
    char[] t = n <= charScratch.length ? charScratch : new char[n];
    if (target instanceof String s) {
      s.getChars(0, n, t, 0);
    } else {
      for (int i = 0; i < n; i++) {
        t[i] = target.charAt(i);
      }
    }
    return scan(t, n, buf);
  }

  private int scan(char[] target, int n, byte[] buf) {
    for (int i = 0; i < n; i++) {
      char c = target[i];
      // HAProxy's HTTP parser answers 400 to these before any rule runs.
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        throw new RoomKeyException(Reason.INVALID_CHARACTER, i, describeInvalid(c, i));
      }
    }
    int pathStart = pathStart(target, n);
    if (pathStart < 0) {
      return NO_ROOM;
    }
    int pathEnd = indexOf(target, '?', pathStart, n);
    int queryStart = pathEnd < n ? pathEnd + 1 : n;

    // Signalling request: /S or /T/S.
    for (String s : signallingPaths) {
      int sLen = s.length();
      int slash = pathEnd - sLen - 1;
      if (slash < pathStart || target[slash] != '/' || !regionEquals(target, n, slash + 1, s)) {
        continue;
      }
      int tenantStart = -1;
      if (slash != pathStart) {
        // Exactly one non-empty tenant segment before the endpoint.
        if (target[pathStart] != '/' || slash == pathStart + 1
            || indexOf(target, '/', pathStart + 1, slash) != slash) {
          continue;
        }
        tenantStart = pathStart + 1;
      }
      int valueStart = findRoomParam(target, queryStart, n);
      if (valueStart < 0) {
        throw new RoomKeyException(Reason.MISSING_ROOM, queryStart,
            "signalling request /" + s + " has no room= query parameter");
      }
      int valueEnd = endOfParam(target, valueStart, n);
      if (valueEnd == valueStart) {
        throw new RoomKeyException(Reason.EMPTY_ROOM, valueStart, "room= query parameter is empty");
      }
      return decodeKey(target, tenantStart, slash, valueStart, valueEnd, buf);
    }

    // Page URL: /R or /T/R, no '.' in either segment.
    int firstSlash = indexOf(target, '/', pathStart + 1, pathEnd);
    int tenantStart = -1;
    int tenantEnd = -1;
    int roomStart;
    if (firstSlash == pathEnd) {
      roomStart = pathStart + 1;
    } else {
      tenantStart = pathStart + 1;
      tenantEnd = firstSlash;
      roomStart = firstSlash + 1;
      if (tenantEnd == tenantStart || indexOf(target, '/', roomStart, pathEnd) != pathEnd
          || contains(target, '.', tenantStart, tenantEnd)
          || inSet(target, n, tenantStart, tenantEnd, staticDirectories)) {
        return NO_ROOM;
      }
    }
    if (roomStart >= pathEnd || contains(target, '.', roomStart, pathEnd)
        || inSet(target, n, roomStart, pathEnd, reservedNames)) {
      return NO_ROOM;
    }
    return decodeKey(target, tenantStart, tenantEnd, roomStart, pathEnd, buf);
  }

  private static String describeInvalid(char c, int i) {
    String what = c == ' ' ? "a space" : c == '#' ? "'#'" : c >= 0x7f && c > 0x9f
        ? "non-ASCII character U+" + String.format(Locale.ROOT, "%04X", (int) c)
        : String.format(Locale.ROOT, "control character 0x%02X", (int) c);
    return "request target has " + what + " at index " + i
        + " (HAProxy rejects it; percent-encode it)";
  }

  private static int pathStart(char[] t, int n) {
    if (n == 0) {
      throw new RoomKeyException(Reason.MALFORMED_TARGET, 0, "request target is empty");
    }
    char c0 = t[0];
    if (c0 == '/') {
      return 0;
    }
    if (n == 1 && c0 == '*') {
      return -1;
    }
    int afterScheme = startsWithIgnoreCase(t, n, "http://") ? 7 : startsWithIgnoreCase(t, n, "https://") ? 8 : -1;
    if (afterScheme < 0) {
      throw new RoomKeyException(Reason.MALFORMED_TARGET, 0,
          "request target must start with '/', 'http://' or 'https://'");
    }
    int slash = indexOf(t, '/', afterScheme, n);
    int query = indexOf(t, '?', afterScheme, n);
    if (slash < query) {
      return slash;
    }
    if (query < n) {
      // HAProxy 2.6 answers 400 to "http://host?query" (an authority, then a query, no path).
      throw new RoomKeyException(Reason.MALFORMED_TARGET, query,
          "absolute-form request target has a query but no path");
    }
    return -1;
  }

  private static boolean startsWithIgnoreCase(char[] t, int n, String prefix) {
    if (n < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toLowerCase(t[i]) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Start of the value of the first parameter that begins with exactly {@code room=}, or -1. */
  private static int findRoomParam(char[] t, int from, int n) {
    int p = from;
    while (p < n) {
      if (p + ROOM_PARAM.length() <= n && regionEquals(t, n, p, ROOM_PARAM)) {
        return p + ROOM_PARAM.length();
      }
      p = endOfParam(t, p, n) + 1;
    }
    return -1;
  }

  /** HAProxy ends a parameter at {@code &}, {@code ;} or {@code ?}. */
  private static int endOfParam(char[] t, int from, int n) {
    for (int i = from; i < n; i++) {
      char c = t[i];
      if (c == '&' || c == ';' || c == '?') {
        return i;
      }
    }
    return n;
  }

  private int decodeKey(char[] t, int tenantStart, int tenantEnd, int roomStart,
      int roomEnd, byte[] buf) {
    int len = 0;
    int max = rules.maxKeyBytes();
    if (rules.tenantInKey() && tenantStart >= 0) {
      len = decode(t, tenantStart, tenantEnd, buf, 0, max);
      if (len == max) {
        throw tooLong(max);
      }
      buf[len++] = '/';
    }
    int roomLen = decode(t, roomStart, roomEnd, buf, len, max) - len;
    if (roomLen == 0) {
      throw new RoomKeyException(Reason.EMPTY_ROOM, roomStart, "room is empty");
    }
    len += roomLen;
    return len;
  }

  /** url_dec then lower, appended at {@code off}; returns the new length. */
  private static int decode(char[] t, int from, int to, byte[] buf, int off, int max) {
    int o = off;
    int i = from;
    while (i < to) {
      char c = t[i];
      int b;
      if (c == '%') {
        int hi = i + 1 < to ? hex(t[i + 1]) : -1;
        int lo = i + 2 < to ? hex(t[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          throw new RoomKeyException(Reason.MALFORMED_ESCAPE, i,
              "malformed percent escape at index " + i + ": '%' must be followed by two hex digits");
        }
        b = hi << 4 | lo;
        if (b < 0x20 || b == 0x7f) {
          throw new RoomKeyException(Reason.CONTROL_CHARACTER, i, String.format(Locale.ROOT,
              "room decodes to control byte 0x%02X at index %d", b, i));
        }
        i += 3;
      } else {
        b = c;
        i++;
      }
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (o == max) {
        throw tooLong(max);
      }
      buf[o++] = (byte) b;
    }
    return o;
  }

  private static RoomKeyException tooLong(int max) {
    return new RoomKeyException(Reason.TOO_LONG, -1,
        "room key is longer than the maximum of " + max + " bytes");
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static int indexOf(char[] t, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (t[i] == c) {
        return i;
      }
    }
    return to;
  }

  private static boolean contains(char[] t, char c, int from, int to) {
    return indexOf(t, c, from, to) < to;
  }

  private static boolean regionEquals(char[] t, int n, int at, String s) {
    if (at + s.length() > n) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (t[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean inSet(char[] t, int n, int from, int to, String[] set) {
    int len = to - from;
    for (String s : set) {
      if (s.length() == len && regionEquals(t, n, from, s)) {
        return true;
      }
    }
    return false;
  }
}
