package io.bridgekeeper.gcp;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.cloud.compute.v1.CreateInstancesRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.DeleteInstancesRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersClient;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersCreateInstancesRequest;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersDeleteInstancesRequest;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersSettings;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.PerInstanceConfig;
import com.google.cloud.compute.v1.ResizeRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.stub.RegionInstanceGroupManagersStubSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A regional group through {@code RegionInstanceGroupManagersClient}; operations are polled in {@code regionOperations}. */
final class RegionalInstanceGroup implements InstanceGroup {
  private final GceGroupRef ref;
  private final RegionInstanceGroupManagersClient client;

  RegionalInstanceGroup(GceGroupRef ref, ClientConfig config) {
    this.ref = ref;
    try {
      RegionInstanceGroupManagersSettings.Builder settings = config.apply(RegionInstanceGroupManagersSettings.newBuilder());
      settings.applyToAllUnaryMethods(b -> {
        config.singleAttempt(b);
        return null;
      });
      RegionInstanceGroupManagersStubSettings.Builder stub = settings.getStubSettingsBuilder();
      stub.resizeOperationSettings().setInitialCallSettings(config.initialCall()).setPollingAlgorithm(config.polling());
      stub.deleteInstancesOperationSettings().setInitialCallSettings(config.initialCall())
          .setPollingAlgorithm(config.polling());
      stub.createInstancesOperationSettings().setInitialCallSettings(config.initialCall())
          .setPollingAlgorithm(config.polling());
      client = RegionInstanceGroupManagersClient.create(settings.build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Compute client for " + ref + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InstanceGroupManager get() {
    return client.get(ref.project(), ref.location(), ref.name());
  }

  @Override
  public List<ManagedInstance> listManagedInstances() {
    List<ManagedInstance> out = new ArrayList<>();
    client.listManagedInstances(ref.project(), ref.location(), ref.name()).iterateAll().forEach(out::add);
    return out;
  }

  @Override
  public OperationFuture<Operation, Operation> resize(int size, String requestId) {
    return client.resizeOperationCallable().futureCall(ResizeRegionInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setRegion(ref.location()).setInstanceGroupManager(ref.name())
        .setSize(size).setRequestId(requestId).build());
  }

  @Override
  public OperationFuture<Operation, Operation> deleteInstances(List<String> instances, String requestId) {
    return client.deleteInstancesOperationCallable().futureCall(DeleteInstancesRegionInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setRegion(ref.location()).setInstanceGroupManager(ref.name())
        .setRegionInstanceGroupManagersDeleteInstancesRequestResource(RegionInstanceGroupManagersDeleteInstancesRequest.newBuilder()
            .addAllInstances(instances).setSkipInstancesOnValidationError(true))
        .setRequestId(requestId).build());
  }

  @Override
  public OperationFuture<Operation, Operation> createInstances(List<String> names, String requestId) {
    RegionInstanceGroupManagersCreateInstancesRequest.Builder body = RegionInstanceGroupManagersCreateInstancesRequest.newBuilder();
    names.forEach(n -> body.addInstances(PerInstanceConfig.newBuilder().setName(n)));
    return client.createInstancesOperationCallable().futureCall(CreateInstancesRegionInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setRegion(ref.location()).setInstanceGroupManager(ref.name())
        .setRegionInstanceGroupManagersCreateInstancesRequestResource(body).setRequestId(requestId).build());
  }

  @Override
  public void close() {
    client.close();
  }
}
