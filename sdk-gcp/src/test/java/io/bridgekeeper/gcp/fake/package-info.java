/**
 * A fake of the Compute Engine REST API for offline tests (shipped in the sdk-gcp test-jar).
 *
 * <p>Entry point: {@link io.bridgekeeper.gcp.fake.FakeComputeServer#start()}. Thread-safe: every
 * request and every control call synchronise on the server.
 */
package io.bridgekeeper.gcp.fake;
