package io.bridgekeeper.haproxy;

/** A runtime-API call that failed; {@link #kind()} says how. */
public final class HaproxyRuntimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How a call failed. */
  public enum Kind {
    /** The socket could not be reached. */
    CONNECT,
    /** No complete answer before the deadline. */
    TIMEOUT,
    /** HAProxy answered with an error (the message holds its words). */
    REJECTED,
    /** The answer was not in the expected form. */
    PROTOCOL,
    /** An argument could have changed the command (newline, ';', space...); nothing was sent. */
    UNSAFE_ARGUMENT
  }

  private final Kind kind;

  public HaproxyRuntimeException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public HaproxyRuntimeException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
