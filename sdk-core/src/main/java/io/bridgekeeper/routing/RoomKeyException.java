package io.bridgekeeper.routing;

/**
 * A room name or request target that cannot be turned into a {@link RoomKey}.
 *
 * <p>Thrown instead of ever producing a silently wrong key: HAProxy refuses the same inputs
 * (its {@code url_dec} converter fails on a malformed escape, its HTTP parser rejects raw
 * spaces, {@code #} and non-ASCII bytes), so Java must not route them either.
 */
public final class RoomKeyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the input. */
  public enum Reason {
    /** A {@code %} not followed by two hexadecimal digits. */
    MALFORMED_ESCAPE,
    /** A signalling request without a {@code room} query parameter. */
    MISSING_ROOM,
    /** A {@code room=} parameter, room name or path segment that is empty. */
    EMPTY_ROOM,
    /** The decoded key is longer than {@link RoomKeyRules#maxKeyBytes()}. */
    TOO_LONG,
    /** The decoded key contains an ASCII control byte (0x00-0x1F or 0x7F). */
    CONTROL_CHARACTER,
    /** The request target contains a character HAProxy rejects (space, {@code #}, control, non-ASCII). */
    INVALID_CHARACTER,
    /** Not a request target: it must start with {@code /}, {@code http://} or {@code https://}. */
    MALFORMED_TARGET,
    /** The room name contains an unpaired UTF-16 surrogate, which has no UTF-8 form. */
    INVALID_UNICODE
  }

  private final Reason reason;
  private final int position;

  public RoomKeyException(Reason reason, int position, String message) {
    super(message);
    this.reason = reason;
    this.position = position;
  }

  /** The kind of problem. */
  public Reason reason() {
    return reason;
  }

  /** Index in the input where the problem was found, or -1 when it concerns the whole input. */
  public int position() {
    return position;
  }
}
