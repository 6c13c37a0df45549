/**
 * The videobridge health model: what every bridge is now, from the XMPP brewery and the REST API.
 *
 * <p>Entry points: {@link io.bridgekeeper.bridges.BridgePool} (the live registry sources report to,
 * with listeners and immutable {@link io.bridgekeeper.bridges.PoolSnapshot}s),
 * {@link io.bridgekeeper.bridges.BridgeSelector} (jicofo's bridge selection over a snapshot),
 * {@link io.bridgekeeper.bridges.BridgeRestPoller} and {@link io.bridgekeeper.bridges.BridgeRestClient}
 * (the REST source and bridge control: drain, graceful shutdown).
 *
 * <p>Thread safety: the pool and the poller are thread-safe (each serialises its own updates);
 * stats, snapshots, selectors and strategies are immutable. Every clock is injected.
 */
package io.bridgekeeper.bridges;
