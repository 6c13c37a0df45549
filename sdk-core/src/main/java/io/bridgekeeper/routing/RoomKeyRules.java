package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.RequestTargetScanner;
import io.bridgekeeper.routing.internal.RoomNames;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a room key is derived from a room name or an HTTP request target. Both Java and the HAProxy
 * configuration generated from the same rules compute identical keys.
 *
 * <h2>Request targets</h2>
 *
 * <p>The raw target (origin form {@code /path?query}, or absolute form {@code http://host/path})
 * is read exactly as HAProxy 2.6 reads it:
 *
 * <ul>
 *   <li>a <b>signalling request</b> is a path equal to {@code /S} or {@code /T/S}, where {@code S} is
 *       one of {@link #signallingPaths()} and {@code T} one non-empty tenant segment; its room is the
 *       {@code room} query parameter, found like HAProxy's {@code url_param(room)}: the query starts
 *       after the first {@code ?}, parameters are separated by {@code &}, {@code ;} or {@code ?}, the
 *       first parameter that begins with exactly {@code room=} wins. A signalling request without one
 *       is an error ({@link RoomKeyException.Reason#MISSING_ROOM}).
 *   <li>a <b>page URL</b> is a path {@code /R} or {@code /T/R} where neither segment contains a
 *       {@code .}, {@code T} is not one of {@link #staticDirectories()} and {@code R} is not one of
 *       {@link #reservedNames()}; its room is {@code R}.
 *   <li>anything else ({@code /}, {@code /config.js}, {@code /libs/app.bundle.min.js}, deeper
 *       paths) carries no room and is served by the static backend.
 * </ul>
 *
 * <p>The room is then percent-decoded (a {@code +} stays {@code +}, a malformed escape is an
 * error) and ASCII letters are lowercased; every other byte is kept (HAProxy's {@code url_dec,lower}).
 * When {@link #tenantInKey()} is set the key is {@code tenant/room}, the tenant decoded the same way.
 *
 * <h2>Room names</h2>
 *
 * <p>A room name as a user types it is normalised the way jitsi-meet does before it puts the room
 * in a signalling URL ({@code jitsi/jitsi-meet:react/features/base/util/uri.ts
 * getBackendSafeRoomName}): best-effort {@code decodeURIComponent}, NFKC, Unicode lowercase; the
 * key is the UTF-8 form of the result.
 *
 * <p>Every key must be non-empty, at most {@link #maxKeyBytes()} bytes long and free of ASCII
 * control bytes. The default maximum, {@value #DEFAULT_MAX_KEY_BYTES} bytes, covers a tenant and a
 * room of up to 1023 bytes each (the XMPP localpart limit of RFC 7622), with their separator.
 *
 * @param tenantInKey whether the tenant is part of the key (default: not)
 * @param maxKeyBytes the longest key accepted, in bytes, 1 to {@value #MAX_MAX_KEY_BYTES}
 * @param signallingPaths path suffixes of signalling endpoints that carry {@code ?room=}
 * @param staticDirectories first path segments that are never a tenant
 * @param reservedNames last path segments that are never a room
 */
public record RoomKeyRules(
    boolean tenantInKey,
    int maxKeyBytes,
    List<String> signallingPaths,
    Set<String> staticDirectories,
    Set<String> reservedNames) {

  /** Default maximum key length in bytes. */
  public static final int DEFAULT_MAX_KEY_BYTES = 2048;

  /** Hard upper bound for {@link #maxKeyBytes()}: a pin line must fit HAProxy's 16 KiB buffer. */
  public static final int MAX_MAX_KEY_BYTES = 4096;

  /** The signalling endpoints jitsi-meet appends {@code ?room=} to. */
  public static final List<String> DEFAULT_SIGNALLING_PATHS =
      List.of("http-bind", "xmpp-websocket", "conference-request/v1", "_unlock");

  /** Directories of the web app's static files (from Jitsi's production HAProxy {@code not_room}). */
  public static final Set<String> DEFAULT_STATIC_DIRECTORIES =
      Set.of("static", "images", "img", "css", "fonts", "libs", "lang", "sounds",
          "connection_optimization", ".well-known");

  /** Single-segment paths of the web app that are not rooms. */
  public static final Set<String> DEFAULT_RESERVED_NAMES =
      Set.of("http-pre-bind", "room", "room-size", "room-password", "_health", "colibri-ws",
          "colibri-relay-ws");

  private static final Pattern SIGNALLING_PATH = Pattern.compile("[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.~-]+");

  private static final RoomKeyRules DEFAULTS =
      new RoomKeyRules(false, DEFAULT_MAX_KEY_BYTES, DEFAULT_SIGNALLING_PATHS,
          DEFAULT_STATIC_DIRECTORIES, DEFAULT_RESERVED_NAMES);

  public RoomKeyRules {
    if (maxKeyBytes < 1 || maxKeyBytes > MAX_MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "maxKeyBytes must be between 1 and " + MAX_MAX_KEY_BYTES + ", was " + maxKeyBytes);
    }
    signallingPaths = List.copyOf(Objects.requireNonNull(signallingPaths, "signallingPaths"));
    staticDirectories = Set.copyOf(Objects.requireNonNull(staticDirectories, "staticDirectories"));
    reservedNames = Set.copyOf(Objects.requireNonNull(reservedNames, "reservedNames"));
    if (signallingPaths.isEmpty()) {
      throw new IllegalArgumentException("signallingPaths must name at least one endpoint");
    }
    for (String p : signallingPaths) {
      if (!SIGNALLING_PATH.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "signalling path '" + p + "' must be unreserved URL characters separated by '/', "
                + "without a leading '/'");
      }
    }
    for (String d : staticDirectories) {
      if (!SEGMENT.matcher(d).matches()) {
        throw new IllegalArgumentException("static directory '" + d + "' is not a single path segment");
      }
    }
    for (String r : reservedNames) {
      if (!SEGMENT.matcher(r).matches()) {
        throw new IllegalArgumentException("reserved name '" + r + "' is not a single path segment");
      }
    }
  }

  /** The rules Jitsi deployments use unless they say otherwise. */
  public static RoomKeyRules defaults() {
    return DEFAULTS;
  }

  /** These rules with the tenant in or out of the key. */
  public RoomKeyRules withTenantInKey(boolean tenantInKey) {
    return new RoomKeyRules(tenantInKey, maxKeyBytes, signallingPaths, staticDirectories, reservedNames);
  }

  /** These rules with another maximum key length. */
  public RoomKeyRules withMaxKeyBytes(int maxKeyBytes) {
    return new RoomKeyRules(tenantInKey, maxKeyBytes, signallingPaths, staticDirectories, reservedNames);
  }

  /**
   * The key of a room name as a user types it ("My Room", "Café").
   *
   * @throws RoomKeyException if the normalised name is empty, too long, contains a control
   *     character or an unpaired surrogate
   */
  public RoomKey keyOfRoomName(String roomName) {
    return RoomKey.ofValidatedBytes(RoomNames.keyBytes(null, roomName, this));
  }

  /**
   * The key of a room in a tenant. Without {@link #tenantInKey()} the tenant is ignored, as it is
   * for request targets. The tenant is taken as it appears in the meeting URL's path, which
   * jitsi-meet does not normalise: percent-decoded when it is encoded, ASCII letters lowercased,
   * nothing else changed (so {@code "ACME"} and {@code "acme"} are one tenant, {@code "CAFÉ"} and
   * {@code "café"} are not — as for HAProxy, which reads the path's bytes).
   */
  public RoomKey keyOfRoomName(String tenant, String roomName) {
    return RoomKey.ofValidatedBytes(RoomNames.keyBytes(tenantInKey ? tenant : null, roomName, this));
  }

  /**
   * The key HAProxy derives from a raw request target, or empty when the target carries no room
   * (static files, {@code /}).
   *
   * @throws RoomKeyException if the target is malformed or a signalling request lacks its room
   */
  public Optional<RoomKey> keyOfRequestTarget(CharSequence requestTarget) {
    byte[] buf = new byte[maxKeyBytes];
    int len = new RequestTargetScanner(this).scan(requestTarget, buf);
    if (len == RequestTargetScanner.NO_ROOM) {
      return Optional.empty();
    }
    return Optional.of(RoomKey.ofValidatedBytes(java.util.Arrays.copyOf(buf, len)));
  }
}
