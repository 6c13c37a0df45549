/**
 * The simulator: scaling policies side by side on the same conference traffic, with the SDK's real
 * pool, selector, autoscaler and in-memory cloud on simulated time.
 *
 * <p>Entry points: {@link io.bridgekeeper.simulation.Simulation} (one policy over one trace),
 * {@link io.bridgekeeper.simulation.TrafficModel} (seeded diurnal traffic, or a CSV trace),
 * {@link io.bridgekeeper.simulation.SimulationReport} (HTML with SVG charts, JSON, text) and
 * {@link io.bridgekeeper.simulation.SimulatedClock}. Traffic models and reports are immutable or
 * stateless; a {@code Simulation} runs one run at a time and is not thread-safe.
 */
package io.bridgekeeper.simulation;
