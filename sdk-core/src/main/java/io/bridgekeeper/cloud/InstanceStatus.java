package io.bridgekeeper.cloud;

/** Lifecycle of a VM (the GCE statuses the autoscaler needs to tell apart). */
public enum InstanceStatus {
  /** Being created; counts as capacity that is coming. */
  PROVISIONING,
  /** Running. */
  RUNNING,
  /** Being deleted. */
  STOPPING,
  /** Failed to start, or stopped: not capacity. */
  FAILED;

  /** Whether it is, or will soon be, capacity. */
  public boolean countsAsCapacity() {
    return this == PROVISIONING || this == RUNNING;
  }
}
