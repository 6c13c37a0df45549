/**
 * The {@code bridgekeeper} command-line program, written the way a user of the SDK would write it.
 *
 * <p>Entry point: {@link io.bridgekeeper.examples.cli.BridgekeeperCli#main}. Each invocation runs
 * on one thread ({@code haproxy sync} loops on it until interrupted); commands keep no state
 * between invocations.
 */
package io.bridgekeeper.examples.cli;
