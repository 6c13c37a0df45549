package io.bridgekeeper.bridges;

/** Stats that cannot be believed: the message names the stat and the value. */
public final class BridgeStatsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String stat;

  public BridgeStatsException(String stat, String message) {
    super(message);
    this.stat = stat;
  }

  /** The stat that was wrong, or {@code "*"} for the whole set. */
  public String stat() {
    return stat;
  }
}
