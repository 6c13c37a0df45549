package io.bridgekeeper.routing;

/** A topology, or a topology file, that is invalid; the message names the field and the problem. */
public final class TopologyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public TopologyException(String message) {
    super(message);
  }

  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
