package io.bridgekeeper.gcp;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.cloud.compute.v1.CreateInstancesInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.DeleteInstancesInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagersClient;
import com.google.cloud.compute.v1.InstanceGroupManagersCreateInstancesRequest;
import com.google.cloud.compute.v1.InstanceGroupManagersDeleteInstancesRequest;
import com.google.cloud.compute.v1.InstanceGroupManagersSettings;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.PerInstanceConfig;
import com.google.cloud.compute.v1.ResizeInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.stub.InstanceGroupManagersStubSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A zonal group through {@code InstanceGroupManagersClient}; operations are polled in {@code zoneOperations}. */
final class ZonalInstanceGroup implements InstanceGroup {
  private final GceGroupRef ref;
  private final InstanceGroupManagersClient client;

  ZonalInstanceGroup(GceGroupRef ref, ClientConfig config) {
    this.ref = ref;
    try {
      InstanceGroupManagersSettings.Builder settings = config.apply(InstanceGroupManagersSettings.newBuilder());
      settings.applyToAllUnaryMethods(b -> {
        config.singleAttempt(b);
        return null;
      });
      InstanceGroupManagersStubSettings.Builder stub = settings.getStubSettingsBuilder();
      stub.resizeOperationSettings().setInitialCallSettings(config.initialCall()).setPollingAlgorithm(config.polling());
      stub.deleteInstancesOperationSettings().setInitialCallSettings(config.initialCall())
          .setPollingAlgorithm(config.polling());
      stub.createInstancesOperationSettings().setInitialCallSettings(config.initialCall())
          .setPollingAlgorithm(config.polling());
      client = InstanceGroupManagersClient.create(settings.build());
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
    return client.resizeOperationCallable().futureCall(ResizeInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setZone(ref.location()).setInstanceGroupManager(ref.name())
        .setSize(size).setRequestId(requestId).build());
  }

  @Override
  public OperationFuture<Operation, Operation> deleteInstances(List<String> instances, String requestId) {
    return client.deleteInstancesOperationCallable().futureCall(DeleteInstancesInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setZone(ref.location()).setInstanceGroupManager(ref.name())
        .setInstanceGroupManagersDeleteInstancesRequestResource(InstanceGroupManagersDeleteInstancesRequest.newBuilder()
            .addAllInstances(instances).setSkipInstancesOnValidationError(true))
        .setRequestId(requestId).build());
  }

  @Override
  public OperationFuture<Operation, Operation> createInstances(List<String> names, String requestId) {
    InstanceGroupManagersCreateInstancesRequest.Builder body = InstanceGroupManagersCreateInstancesRequest.newBuilder();
    names.forEach(n -> body.addInstances(PerInstanceConfig.newBuilder().setName(n)));
    return client.createInstancesOperationCallable().futureCall(CreateInstancesInstanceGroupManagerRequest.newBuilder()
        .setProject(ref.project()).setZone(ref.location()).setInstanceGroupManager(ref.name())
        .setInstanceGroupManagersCreateInstancesRequestResource(body).setRequestId(requestId).build());
  }

  @Override
  public void close() {
    client.close();
  }
}
