package io.bridgekeeper.gcp;

import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudBackendContract;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The cloud contract kit against a zonal and a regional group of the loopback fake Compute API,
 * through the real google-cloud-compute client. {@code advance} moves the fake's clock: instances
 * boot and deleted ones go by it, with no sleeping.
 */
class GceBackendContractIT {
  static FakeComputeServer fake;
  static final List<GceInstanceGroupBackend> OPEN = new ArrayList<>();

  @BeforeAll
  static void start() {
    fake = FakeComputeServer.start();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @AfterEach
  void closeBackends() {
    OPEN.forEach(GceInstanceGroupBackend::close);
    OPEN.clear();
  }

  static CloudBackend open(GceGroupRef ref) {
    fake.addGroup(ref);
    GceInstanceGroupBackend backend = GceTesting.backend(fake, ref, new ArrayList<>()).build();
    OPEN.add(backend);
    return backend;
  }

  @Nested
  class Zonal extends CloudBackendContract {
    @Override
    protected CloudBackend newBackend() {
      return open(GceTesting.newZonalRef());
    }

    @Override
    protected void advance(Duration d) {
      fake.advance(d);
    }
  }

  @Nested
  class Regional extends CloudBackendContract {
    @Override
    protected CloudBackend newBackend() {
      return open(GceTesting.newRegionalRef());
    }

    @Override
    protected void advance(Duration d) {
      fake.advance(d);
    }
  }
}
