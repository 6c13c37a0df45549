/**
 * JMH benchmarks and the deterministic placement report. Not published, not run by the tests.
 *
 * <p>Entry points: {@code org.openjdk.jmh.Main} (the jar's main class) and
 * {@link io.bridgekeeper.benchmarks.PlacementReport}. Benchmark state is per thread or read-only.
 */
package io.bridgekeeper.benchmarks;
