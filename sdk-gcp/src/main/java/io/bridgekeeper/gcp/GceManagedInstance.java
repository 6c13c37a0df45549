package io.bridgekeeper.gcp;

import io.bridgekeeper.cloud.InstanceStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One member of a managed instance group, as {@code listManagedInstances} reports it.
 *
 * @param name the instance name (the VM's host name, and so by default its bridge's MUC nickname)
 * @param id the VM's numeric id; 0 while GCE has not created the VM yet
 * @param zone the VM's zone (for a regional group, one of the region's zones); for an instance
 *     that has no VM yet, the group's location
 * @param currentAction the MIG's action on it ({@code NONE}, {@code CREATING}, {@code DELETING}, …;
 *     {@code ManagedInstance.CurrentAction})
 * @param instanceStatus the VM's status ({@code PROVISIONING}, {@code STAGING}, {@code RUNNING},
 *     {@code STOPPING}, {@code TERMINATED}, …); empty before the VM exists
 * @param health the worst {@code detailedHealthState} of its health checks, if it has any
 * @param lastAttemptErrors why the last creation attempt failed ({@code CODE: message}), e.g.
 *     {@code QUOTA_EXCEEDED}: GCE keeps retrying such an instance, so it stays CREATING
 * @param partialUrl {@code zones/Z/instances/NAME}, the form {@code deleteInstances} takes; empty for
 *     an instance that has no VM yet (deleted by name)
 */
public record GceManagedInstance(String name, long id, String zone, String currentAction, String instanceStatus,
    Optional<String> health, List<String> lastAttemptErrors, Optional<String> partialUrl) {
  private static final Set<String> LEAVING = Set.of("DELETING", "ABANDONING");
  private static final Set<String> VM_GOING_DOWN = Set.of("STOPPING", "SUSPENDING", "PENDING_STOP");
  /** The group's own actions that take a VM down (standby pools): it is not coming back as capacity. */
  private static final Set<String> GROUP_TAKING_DOWN = Set.of("STOPPING", "SUSPENDING");
  private static final Set<String> VM_DOWN = Set.of("TERMINATED", "STOPPED", "SUSPENDED");
  private static final Set<String> VM_COMING_UP = Set.of("", "PROVISIONING", "STAGING", "REPAIRING");

  public GceManagedInstance {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(currentAction, "currentAction");
    Objects.requireNonNull(instanceStatus, "instanceStatus");
    Objects.requireNonNull(health, "health");
    lastAttemptErrors = List.copyOf(lastAttemptErrors);
    Objects.requireNonNull(partialUrl, "partialUrl");
  }

  /** Whether the group is deleting or abandoning it already (a delete of it is skipped). */
  public boolean leaving() {
    return LEAVING.contains(currentAction);
  }

  /**
   * The SPI's status. Leaving (DELETING, ABANDONING), or a VM the group itself is stopping or
   * suspending, is STOPPING; a VM that is down (TERMINATED, STOPPED, SUSPENDED) with nothing bringing
   * it back is FAILED (not capacity); any action that brings a VM up (CREATING,
   * CREATING_WITHOUT_RETRIES, RECREATING, VERIFYING, STARTING, RESUMING, RESTARTING, REFRESHING), a
   * VM not yet running, or a VM going down that the group keeps is PROVISIONING; only a RUNNING VM
   * is RUNNING.
   */
  public InstanceStatus status() {
    if (leaving() || (VM_GOING_DOWN.contains(instanceStatus) && GROUP_TAKING_DOWN.contains(currentAction))) {
      return InstanceStatus.STOPPING;
    }
    if (VM_GOING_DOWN.contains(instanceStatus)) {
      // Preempted (spot), or stopped from inside the guest: it stays in the target size, and by
      // default the group repairs it by recreating it (GCE docs, "About repairing VMs in a MIG": a VM
      // that fails by an action not initiated by the MIG). Capacity coming back, then: as STOPPING
      // the autoscaler would launch a replacement on top of the target size. With repairs turned off
      // it ends TERMINATED, FAILED below, and is deleted and replaced.
      return InstanceStatus.PROVISIONING;
    }
    boolean settled = currentAction.equals("NONE") || currentAction.isEmpty();
    if (settled && VM_DOWN.contains(instanceStatus)) {
      return InstanceStatus.FAILED;
    }
    if (instanceStatus.equals("RUNNING") && (settled || currentAction.equals("REFRESHING"))) {
      return InstanceStatus.RUNNING;
    }
    if (!settled || VM_COMING_UP.contains(instanceStatus)) {
      return InstanceStatus.PROVISIONING;
    }
    // A VM status this code does not know: not capacity, so the autoscaler replaces it rather than
    // count on it.
    return InstanceStatus.FAILED;
  }
}
