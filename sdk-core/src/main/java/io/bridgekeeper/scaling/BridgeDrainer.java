package io.bridgekeeper.scaling;

/**
 * Asks a bridge to take no new conferences. SPI for the autoscaler: the REST implementation is
 * {@code BridgeRestClient.drain} through an id → endpoint mapping; tests supply their own.
 */
@FunctionalInterface
public interface BridgeDrainer {
  /** @return whether the bridge accepted the drain */
  boolean drain(String bridgeId);
}
