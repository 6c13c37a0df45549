package io.bridgekeeper.scaling;

/**
 * Asks a bridge to take no new conferences, and — optionally — to take them again. SPI for the
 * autoscaler: the REST implementation is {@code BridgeRestClient.drain} through an id → endpoint
 * mapping; tests supply their own. A lambda implements {@link #drain} only: such a drainer cannot
 * cancel a drain, and the autoscaler then launches new instances on scale-out instead.
 */
@FunctionalInterface
public interface BridgeDrainer {
  /** @return whether the bridge accepted the drain */
  boolean drain(String bridgeId);

  /**
   * Cancels a drain: the bridge takes new conferences again. The autoscaler calls it on scale-out
   * while bridges it drained are still up, so that they carry load again instead of a new VM being
   * launched while their conferences are cut at the drain deadline.
   *
   * @return whether the bridge accepted; the default, {@code false}, means unsupported
   */
  default boolean undrain(String bridgeId) {
    return false;
  }

  /**
   * Drains through the bridges' REST interface ({@code POST /colibri/drain/enable}), and undrains
   * through {@code POST /colibri/drain/disable}; a bridge without an endpoint, or that refuses or
   * does not answer, did not accept.
   */
  static BridgeDrainer rest(io.bridgekeeper.bridges.BridgeRestClient client,
      java.util.function.Function<String, java.util.Optional<io.bridgekeeper.bridges.BridgeEndpoint>> endpoints) {
    java.util.Objects.requireNonNull(client, "client");
    java.util.Objects.requireNonNull(endpoints, "endpoints");
    return ofFlag((bridgeId, enable) -> endpoints.apply(bridgeId).map(e -> client.drain(e, enable).join()
        instanceof io.bridgekeeper.bridges.BridgeRestClient.ControlResult.Done).orElse(false));
  }

  /**
   * A drainer for bridges whose drain is a flag that can be set and cleared, as a videobridge's
   * is: {@code setDrain.test(bridgeId, on)} sets it and says whether the bridge accepted.
   */
  static BridgeDrainer ofFlag(java.util.function.BiPredicate<String, Boolean> setDrain) {
    java.util.Objects.requireNonNull(setDrain, "setDrain");
    return new BridgeDrainer() {
      @Override
      public boolean drain(String bridgeId) {
        return setDrain.test(bridgeId, true);
      }

      @Override
      public boolean undrain(String bridgeId) {
        return setDrain.test(bridgeId, false);
      }
    };
  }
}
