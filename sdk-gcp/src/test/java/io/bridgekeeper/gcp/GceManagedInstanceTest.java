package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bridgekeeper.cloud.InstanceStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GceManagedInstanceTest {
  static GceManagedInstance of(String action, String vm) {
    return new GceManagedInstance("jvb-1", 1, "europe-west1-b", action, vm, Optional.empty(), List.of(),
        Optional.of("zones/europe-west1-b/instances/jvb-1"));
  }

  @ParameterizedTest(name = "{0}/{1} → {2}")
  @CsvSource(nullValues = "-", value = {
      "CREATING, '', PROVISIONING",
      "CREATING_WITHOUT_RETRIES, '', PROVISIONING",
      "VERIFYING, STAGING, PROVISIONING",
      "RECREATING, RUNNING, PROVISIONING",
      "STARTING, TERMINATED, PROVISIONING",
      "RESTARTING, RUNNING, PROVISIONING",
      "NONE, PROVISIONING, PROVISIONING",
      "NONE, STAGING, PROVISIONING",
      "NONE, RUNNING, RUNNING",
      "REFRESHING, RUNNING, RUNNING",
      "DELETING, RUNNING, STOPPING",
      "ABANDONING, RUNNING, STOPPING",
      "STOPPING, STOPPING, STOPPING",
      "SUSPENDING, SUSPENDING, STOPPING",
      // Preempted or stopped from inside: the group keeps it in its target size and brings it back.
      "NONE, STOPPING, PROVISIONING",
      "NONE, SUSPENDING, PROVISIONING",
      "NONE, PENDING_STOP, PROVISIONING",
      "RECREATING, STOPPING, PROVISIONING",
      "NONE, TERMINATED, FAILED",
      "NONE, STOPPED, FAILED",
      "NONE, SUSPENDED, FAILED",
      "NONE, SOMETHING_NEW, FAILED"})
  void mapsGceActionsAndVmStatusesToTheSpi(String action, String vm, InstanceStatus expected) {
    assertEquals(expected, of(action, vm).status());
  }
}
