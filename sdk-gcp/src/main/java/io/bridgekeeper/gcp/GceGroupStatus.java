package io.bridgekeeper.gcp;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code instanceGroupManagers.get} says about a group, beyond the SPI's target size.
 *
 * <p>A {@code resize} or {@code deleteInstances} operation is DONE as soon as GCE has scheduled the
 * change (REST docs of both methods); whether the group got there shows here: {@link #stable()}
 * and {@link #currentActions()}.
 *
 * @param group the group
 * @param targetSize the size the group converges to
 * @param stable GCE's {@code status.isStable}: no instance has a pending action
 * @param currentActions the non-zero counts of {@code currentActions} ({@code creating},
 *     {@code deleting}, {@code verifying}, …; {@code none} is the count of settled instances)
 * @param autoscaler the URL of a GCE autoscaler attached to the group ({@code status.autoscaler}),
 *     if any: GCE then refuses resizes (412) unless its mode is OFF
 * @param instanceRedistribution regional groups' {@code updatePolicy.instanceRedistributionType}
 *     (PROACTIVE by default: GCE may delete <em>other</em> instances to rebalance zones after a
 *     delete, so NONE is recommended when Bridgekeeper chooses the victims); empty if unset
 */
public record GceGroupStatus(GceGroupRef group, int targetSize, boolean stable, Map<String, Integer> currentActions,
    Optional<String> autoscaler, Optional<String> instanceRedistribution) {
  public GceGroupStatus {
    Objects.requireNonNull(group, "group");
    if (targetSize < 0) {
      throw new IllegalArgumentException("targetSize must be ≥ 0, was " + targetSize);
    }
    currentActions = Map.copyOf(currentActions);
    Objects.requireNonNull(autoscaler, "autoscaler");
    Objects.requireNonNull(instanceRedistribution, "instanceRedistribution");
  }

  /** Whether a GCE autoscaler is attached. */
  public boolean autoscaled() {
    return autoscaler.isPresent();
  }

  /** How many instances have {@code action} pending (e.g. {@code "creating"}); 0 if none. */
  public int pending(String action) {
    return currentActions.getOrDefault(action, 0);
  }
}
