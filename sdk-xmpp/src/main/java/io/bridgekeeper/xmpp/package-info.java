/**
 * The XMPP brewery source: bridges' {@code <stats>} presences in the brewery MUCs, read with
 * Smack 4.4, fed to a {@link io.bridgekeeper.bridges.BridgePool}.
 *
 * <p>Entry point: {@link io.bridgekeeper.xmpp.BreweryListener}. It is thread-safe and works on one
 * thread of its own; {@link io.bridgekeeper.xmpp.ColibriStatsElement} is immutable and
 * {@link io.bridgekeeper.xmpp.ColibriStatsProvider} stateless.
 */
package io.bridgekeeper.xmpp;
