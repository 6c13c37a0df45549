package io.bridgekeeper.cloud;

/** A cloud call that did not happen; {@link #kind()} says whether trying again can help. */
public final class CloudException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Kind {
    /** Temporary (rate limit, 5xx, timeout): retry with backoff. */
    TRANSIENT,
    /** Out of quota: growing further will not work until the quota changes. */
    QUOTA,
    /** The request is wrong or not allowed (permissions, an autoscaled group refusing resizes). */
    REJECTED
  }

  private final Kind kind;

  public CloudException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public CloudException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
