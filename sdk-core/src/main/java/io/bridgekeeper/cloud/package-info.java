/**
 * The cloud SPI the autoscaler acts through, and the in-memory cloud for simulation and tests.
 *
 * <p>Entry points: {@link io.bridgekeeper.cloud.CloudBackend} (the SPI: list, grow, create named,
 * delete named) and {@link io.bridgekeeper.cloud.InMemoryCloud}. Backends are thread-safe; values
 * are immutable. The contract every backend passes is {@code CloudBackendContract} in the sdk-core
 * test-jar.
 */
package io.bridgekeeper.cloud;
