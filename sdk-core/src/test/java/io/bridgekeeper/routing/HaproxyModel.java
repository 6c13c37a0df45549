package io.bridgekeeper.routing;

import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately naive second implementation of the request-target rules (regexes and
 * substrings), written from the HAProxy observations in {@link RequestTargetExamplesTest}. The
 * scanner must agree with it on every input.
 */
final class HaproxyModel {
  /** Empty: no room. Throws RuntimeException subclasses only through {@code Bad}. */
  static Optional<byte[]> key(String target, RoomKeyRules rules) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '#') {
        throw new Bad("char");
      }
    }
    if (target.isEmpty()) {
      throw new Bad("empty");
    }
    String t = target;
    if (t.equals("*")) {
      return Optional.empty();
    }
    Matcher abs = Pattern.compile("(?i)^https?://[^/?]*(.*)$").matcher(t);
    if (!t.startsWith("/")) {
      if (!abs.matches()) {
        throw new Bad("target");
      }
      t = abs.group(1);
      if (t.startsWith("?")) {
        throw new Bad("query without path");
      }
      if (!t.startsWith("/")) {
        return Optional.empty();
      }
    }
    int q = t.indexOf('?');
    String path = q < 0 ? t : t.substring(0, q);
    String query = q < 0 ? "" : t.substring(q + 1);
    for (String s : rules.signallingPaths()) {
      Matcher m = Pattern.compile("^(?:/([^/]+))?/" + Pattern.quote(s) + "$").matcher(path);
      if (m.matches()) {
        String value = null;
        for (String param : query.split("[&;?]", -1)) {
          if (param.startsWith("room=")) {
            value = param.substring(5);
            break;
          }
        }
        if (value == null) {
          throw new Bad("missing");
        }
        return Optional.of(join(m.group(1), value, rules));
      }
    }
    Matcher page = Pattern.compile("^/(?:([^/.]+)/)?([^/.]+)$").matcher(path);
    if (!page.matches()) {
      return Optional.empty();
    }
    if (page.group(1) != null && rules.staticDirectories().contains(page.group(1))) {
      return Optional.empty();
    }
    if (rules.reservedNames().contains(page.group(2))) {
      return Optional.empty();
    }
    return Optional.of(join(page.group(1), page.group(2), rules));
  }

  private static byte[] join(String tenant, String room, RoomKeyRules rules) {
    byte[] r = urlDecLower(room);
    if (r.length == 0) {
      throw new Bad("empty");
    }
    byte[] key = r;
    if (rules.tenantInKey() && tenant != null) {
      byte[] tb = urlDecLower(tenant);
      key = new byte[tb.length + 1 + r.length];
      System.arraycopy(tb, 0, key, 0, tb.length);
      key[tb.length] = '/';
      System.arraycopy(r, 0, key, tb.length + 1, r.length);
    }
    for (byte b : key) {
      if ((b & 0xff) < 0x20 || b == 0x7f) {
        throw new Bad("control");
      }
    }
    if (key.length > rules.maxKeyBytes()) {
      throw new Bad("long");
    }
    return key;
  }

  private static byte[] urlDecLower(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new Bad("escape");
        }
        String hex = s.substring(i + 1, i + 3);
        if (!hex.matches("[0-9A-Fa-f]{2}")) {
          throw new Bad("escape");
        }
        c = (char) Integer.parseInt(hex, 16);
        i += 2;
      }
      out.write(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return out.toByteArray();
  }

  static final class Bad extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Bad(String what) {
      super(what);
    }
  }

  private HaproxyModel() {}
}
