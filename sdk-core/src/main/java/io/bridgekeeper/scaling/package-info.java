/**
 * Scaling policies: how many videobridges should run.
 *
 * <p>Entry point: {@link io.bridgekeeper.scaling.ScalingPolicy} and its static factories
 * (threshold = jitsi-autoscaler's algorithm, schedule floors, and the combinators maxOf, bounded,
 * cooldown), deciding from a {@link io.bridgekeeper.scaling.ScalingInput} to a closed
 * {@link io.bridgekeeper.scaling.ScalingDecision}. {@link io.bridgekeeper.scaling.JitsiGroupConfig}
 * imports jitsi-autoscaler group definitions.
 *
 * <p>Thread safety: decisions, inputs and options are immutable; stateful policies (threshold)
 * serialise their decisions. Time comes from the input, never from a clock of their own.
 */
package io.bridgekeeper.scaling;
