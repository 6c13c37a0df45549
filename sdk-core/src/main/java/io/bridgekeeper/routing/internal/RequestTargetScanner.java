package io.bridgekeeper.routing.internal;

import io.bridgekeeper.routing.RoomKeyException;
import io.bridgekeeper.routing.RoomKeyException.Reason;
import io.bridgekeeper.routing.RoomKeyRules;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the room key out of a raw HTTP request target the way HAProxy 2.6 does, without
 * allocating: the decoded key is written into a caller's buffer.
 *
 * <p>Each rule below was checked against HAProxy 2.6.12 ({@code url_param}, {@code path},
 * {@code url_dec}, {@code lower}); see {@link RoomKeyRules} for the contract. Stateless and
 * thread-safe; the buffers are the caller's.
 *
 * <p>Methods are small and errors are built in separate cold methods, so the JIT inlines the
 * whole hot path (checked with {@code -XX:+PrintInlining}; an earlier single large method was
 * not inlined, though inlining it did not measurably change the time).
 */
public final class RequestTargetScanner {
  /** Returned by {@link #scan} when the target carries no room. */
  public static final int NO_ROOM = -1;

  private static final char[] ROOM_PARAM = "room=".toCharArray();
  private static final byte[] HEX = new byte[128];

  static {
    Arrays.fill(HEX, (byte) -1);
    for (int i = 0; i < 10; i++) {
      HEX['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      HEX['a' + i] = (byte) (10 + i);
      HEX['A' + i] = (byte) (10 + i);
    }
  }

  private final RoomKeyRules rules;
  private final char[][] signallingPaths;
  private final char[][] staticDirectories;
  private final char[][] reservedNames;
  private final boolean tenantInKey;
  /** Whether a signalling path ends in another as whole segments ({@code conference-request/v1}, {@code v1}). */
  private final boolean nestedSignallingPaths;
  private final int maxKeyBytes;

  /** A scanner for {@code rules}; reuse it, it holds no per-call state. */
  public RequestTargetScanner(RoomKeyRules rules) {
    this.rules = rules;
    this.signallingPaths = rules.signallingPaths().stream().map(String::toCharArray).toArray(char[][]::new);
    this.staticDirectories = rules.staticDirectories().stream().sorted().map(String::toCharArray).toArray(char[][]::new);
    this.reservedNames = rules.reservedNames().stream().sorted().map(String::toCharArray).toArray(char[][]::new);
    this.tenantInKey = rules.tenantInKey();
    this.nestedSignallingPaths = rules.signallingPaths().stream()
        .anyMatch(a -> rules.signallingPaths().stream().anyMatch(b -> a.endsWith("/" + b)));
    this.maxKeyBytes = rules.maxKeyBytes();
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

  private int scan(char[] t, int n, byte[] buf) {
    int invalid = firstInvalid(t, n);
    if (invalid >= 0) {
      throw invalidCharacter(t[invalid], invalid);
    }
    int pathStart = n > 0 && t[0] == '/' ? 0 : pathStart(t, n);
    if (pathStart < 0) {
      return NO_ROOM;
    }
    int pathEnd = indexOf(t, '?', pathStart, n);
    int endpointSlash = signallingEndpoint(t, pathStart, pathEnd);
    if (endpointSlash >= 0) {
      return signalling(t, n, pathStart, pathEnd, endpointSlash, buf);
    }
    return page(t, pathStart, pathEnd, buf);
  }

  /** Index of the first character HAProxy's HTTP parser answers 400 to, or -1. */
  private static int firstInvalid(char[] t, int n) {
    for (int i = 0; i < n; i++) {
      char c = t[i];
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The slash before a signalling endpoint when the path is {@code /S} or {@code /T/S}, else -1.
   * Like the generated configuration's {@code bk_tenanted} ACL, a match with a tenant wins
   * whatever the order of the paths: with {@code conference-request/v1} and {@code v1} both
   * signalling paths, {@code /conference-request/v1} is {@code v1} in tenant
   * {@code conference-request}.
   */
  private int signallingEndpoint(char[] t, int pathStart, int pathEnd) {
    int withoutTenant = -1;
    for (char[] s : signallingPaths) {
      int slash = pathEnd - s.length - 1;
      if (slash >= pathStart && t[slash] == '/'
          && Arrays.equals(t, slash + 1, pathEnd, s, 0, s.length)) {
        if (slash == pathStart) {
          if (!nestedSignallingPaths) {
            return slash; // no other path can match this one with a tenant
          }
          withoutTenant = slash;
        } else if (isTenantSegment(t, pathStart, slash)) {
          return slash;
        }
      }
    }
    return withoutTenant;
  }

  /** Exactly one non-empty segment between {@code pathStart} ('/') and {@code slash}. */
  private static boolean isTenantSegment(char[] t, int pathStart, int slash) {
    return t[pathStart] == '/' && slash > pathStart + 1 && indexOf(t, '/', pathStart + 1, slash) == slash;
  }

  private int signalling(char[] t, int n, int pathStart, int pathEnd, int slash, byte[] buf) {
    int queryStart = pathEnd < n ? pathEnd + 1 : n;
    int valueStart = findRoomParam(t, queryStart, n);
    if (valueStart < 0) {
      throw new RoomKeyException(Reason.MISSING_ROOM, queryStart,
          "signalling request " + new String(t, slash, pathEnd - slash) + " has no room= query parameter");
    }
    int valueEnd = endOfParam(t, valueStart, n);
    if (valueEnd == valueStart) {
      throw new RoomKeyException(Reason.EMPTY_ROOM, valueStart, "room= query parameter is empty");
    }
    int tenantStart = slash == pathStart ? -1 : pathStart + 1;
    return decodeKey(t, tenantStart, slash, valueStart, valueEnd, buf);
  }

  /** Page URL: /R or /T/R, no '.' in either segment, T not static, R not reserved. */
  private int page(char[] t, int pathStart, int pathEnd, byte[] buf) {
    int firstSlash = indexOf(t, '/', pathStart + 1, pathEnd);
    int tenantStart = -1;
    int tenantEnd = -1;
    int roomStart;
    if (firstSlash == pathEnd) {
      roomStart = pathStart + 1;
    } else {
      tenantStart = pathStart + 1;
      tenantEnd = firstSlash;
      roomStart = firstSlash + 1;
      if (tenantEnd == tenantStart || indexOf(t, '/', roomStart, pathEnd) != pathEnd
          || indexOf(t, '.', tenantStart, tenantEnd) != tenantEnd
          || inSet(t, tenantStart, tenantEnd, staticDirectories)) {
        return NO_ROOM;
      }
    }
    if (roomStart >= pathEnd || indexOf(t, '.', roomStart, pathEnd) != pathEnd
        || inSet(t, roomStart, pathEnd, reservedNames)) {
      return NO_ROOM;
    }
    return decodeKey(t, tenantStart, tenantEnd, roomStart, pathEnd, buf);
  }

  private static RoomKeyException invalidCharacter(char c, int i) {
    String what = c == ' ' ? "a space" : c == '#' ? "'#'" : c > 0x9f
        ? "non-ASCII character U+" + String.format(Locale.ROOT, "%04X", (int) c)
        : String.format(Locale.ROOT, "control character 0x%02X", (int) c);
    return new RoomKeyException(Reason.INVALID_CHARACTER, i,
        "request target has " + what + " at index " + i + " (HAProxy rejects it; percent-encode it)");
  }

  /** Where the path of a target that does not start with '/' begins; -1 when it has none. */
  private static int pathStart(char[] t, int n) {
    if (n == 0) {
      throw new RoomKeyException(Reason.MALFORMED_TARGET, 0, "request target is empty");
    }
    if (n == 1 && t[0] == '*') {
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
      if (p + ROOM_PARAM.length <= n && Arrays.equals(t, p, p + ROOM_PARAM.length, ROOM_PARAM, 0, ROOM_PARAM.length)) {
        return p + ROOM_PARAM.length;
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

  private int decodeKey(char[] t, int tenantStart, int tenantEnd, int roomStart, int roomEnd, byte[] buf) {
    int len = 0;
    int max = maxKeyBytes;
    if (tenantInKey && tenantStart >= 0) {
      len = decode(t, tenantStart, tenantEnd, buf, 0, max);
      if (len == max) {
        throw tooLong(max);
      }
      buf[len++] = '/';
    }
    int end = decode(t, roomStart, roomEnd, buf, len, max);
    if (end == len) {
      throw new RoomKeyException(Reason.EMPTY_ROOM, roomStart, "room is empty");
    }
    return end;
  }

  /** url_dec then lower, appended at {@code off}; returns the new length. */
  private static int decode(char[] t, int from, int to, byte[] buf, int off, int max) {
    int o = off;
    int i = from;
    while (i < to) {
      int b = t[i];
      if (b == '%') {
        b = escapedByte(t, i, to);
        i += 3;
      } else {
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

  /** The byte of the escape at {@code i}; it must have two hex digits and not be a control. */
  private static int escapedByte(char[] t, int i, int to) {
    int hi = i + 1 < to ? hex(t[i + 1]) : -1;
    int lo = i + 2 < to ? hex(t[i + 2]) : -1;
    if ((hi | lo) < 0) {
      throw malformedEscape(i);
    }
    int b = hi << 4 | lo;
    if (b < 0x20 || b == 0x7f) {
      throw controlByte(b, i);
    }
    return b;
  }

  private static int hex(char c) {
    return c < 128 ? HEX[c] : -1;
  }

  private static RoomKeyException malformedEscape(int i) {
    return new RoomKeyException(Reason.MALFORMED_ESCAPE, i,
        "malformed percent escape at index " + i + ": '%' must be followed by two hex digits");
  }

  private static RoomKeyException controlByte(int b, int i) {
    return new RoomKeyException(Reason.CONTROL_CHARACTER, i, String.format(Locale.ROOT,
        "room decodes to control byte 0x%02X at index %d", b, i));
  }

  private static RoomKeyException tooLong(int max) {
    return new RoomKeyException(Reason.TOO_LONG, -1,
        "room key is longer than the maximum of " + max + " bytes");
  }

  private static int indexOf(char[] t, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (t[i] == c) {
        return i;
      }
    }
    return to;
  }

  private static boolean inSet(char[] t, int from, int to, char[][] set) {
    int len = to - from;
    for (char[] s : set) {
      if (s.length == len && Arrays.equals(t, from, to, s, 0, len)) {
        return true;
      }
    }
    return false;
  }
}
