package io.bridgekeeper.scaling;

/**
 * Asks a bridge to take no new conferences. SPI for the autoscaler: the REST implementation is
 * {@code BridgeRestClient.drain} through an id → endpoint mapping; tests supply their own.
 */
@FunctionalInterface
public interface BridgeDrainer {
  /** @return whether the bridge accepted the drain */
  boolean drain(String bridgeId);

  /**
   * Drains through the bridges' REST interface ({@code POST /colibri/drain/enable}); a bridge
   * without an endpoint, or that refuses or does not answer, did not accept.
   */
  static BridgeDrainer rest(io.bridgekeeper.bridges.BridgeRestClient client,
      java.util.function.Function<String, java.util.Optional<io.bridgekeeper.bridges.BridgeEndpoint>> endpoints) {
    java.util.Objects.requireNonNull(client, "client");
    java.util.Objects.requireNonNull(endpoints, "endpoints");
    return bridgeId -> endpoints.apply(bridgeId)
        .map(e -> client.drain(e, true).join() instanceof io.bridgekeeper.bridges.BridgeRestClient.ControlResult.Done)
        .orElse(false);
  }
}
