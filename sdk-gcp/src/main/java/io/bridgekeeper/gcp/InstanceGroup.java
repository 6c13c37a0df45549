package io.bridgekeeper.gcp;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.Operation;
import java.util.List;

/**
 * The few instance-group-manager calls the backend needs, over the two GCE clients (zonal
 * {@code InstanceGroupManagersClient}, regional {@code RegionInstanceGroupManagersClient}) that have
 * the same calls with different request types — the split hashicorp/nomad-autoscaler's gce-mig
 * plugin makes too ({@code plugins/builtin/target/gce-mig/plugin/mig.go}). No retries here: the
 * backend retries, keeping a mutation's request id.
 */
interface InstanceGroup extends AutoCloseable {
  InstanceGroupManager get();

  /** Every page. */
  List<ManagedInstance> listManagedInstances();

  OperationFuture<Operation, Operation> resize(int size, String requestId);

  /** {@code instances}: partial URLs or names, at most 1,000; skips non-members (skipInstancesOnValidationError). */
  OperationFuture<Operation, Operation> deleteInstances(List<String> instances, String requestId);

  /** Named instances from the group's template, at most 1,000. */
  OperationFuture<Operation, Operation> createInstances(List<String> names, String requestId);

  @Override
  void close();
}
