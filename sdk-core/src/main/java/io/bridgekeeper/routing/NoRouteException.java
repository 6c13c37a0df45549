package io.bridgekeeper.routing;

/** Raised when a room cannot be routed because no ACTIVE shard exists and the room is not pinned. */
public final class NoRouteException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NoRouteException(String message) {
    super(message);
  }
}
