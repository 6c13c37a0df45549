/**
 * The simulator's parts (in progress): conference traffic from a diurnal model or a CSV trace.
 *
 * <p>Entry point: {@link io.bridgekeeper.simulation.TrafficModel}. Immutable; deterministic for a seed.
 */
package io.bridgekeeper.simulation;
