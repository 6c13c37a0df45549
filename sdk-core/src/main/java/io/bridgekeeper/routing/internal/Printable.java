package io.bridgekeeper.routing.internal;

/**
 * Text for error messages: control characters shown as {@code \xNN}, so a hostile value can
 * never break a log line or a terminal. Stateless.
 */
public final class Printable {
  private Printable() {}

  /** {@code s} with control characters escaped, cut at {@code maxCodePoints} (with "…"). */
  public static String of(String s, int maxCodePoints) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    s.codePoints().limit(maxCodePoints).forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f) {
        sb.append(String.format("\\x%02X", cp));
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return s.codePointCount(0, s.length()) > maxCodePoints ? sb + "…" : sb.toString();
  }
}
