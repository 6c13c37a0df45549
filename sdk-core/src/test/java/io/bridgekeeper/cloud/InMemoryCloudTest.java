package io.bridgekeeper.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bridgekeeper.bridges.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryCloudTest extends CloudBackendContract {
  private final MutableClock clock = MutableClock.atEpoch();

  @Override
  protected CloudBackend newBackend() {
    return InMemoryCloud.builder(clock).build();
  }

  @Override
  protected void advance(Duration d) {
    clock.advance(d);
  }

  @Test
  void bootsAfterItsDelayAndDeletesAfterItsOwn() {
    InMemoryCloud cloud = InMemoryCloud.builder(clock).bootDelay(Duration.ofSeconds(90))
        .deleteDelay(Duration.ofSeconds(30)).build();
    cloud.createInstances(List.of("jvb-a"));
    clock.advance(Duration.ofSeconds(89));
    assertEquals(InstanceStatus.PROVISIONING, cloud.listInstances().get(0).status());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(InstanceStatus.RUNNING, cloud.listInstances().get(0).status());
    cloud.deleteInstances(List.of("jvb-a"));
    assertEquals(InstanceStatus.STOPPING, cloud.listInstances().get(0).status());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(List.of(), cloud.listInstances());
  }

  @Test
  void failuresAreDeterministicForASeed() {
    List<InstanceStatus> a = statuses(7);
    assertEquals(a, statuses(7));
    assertEquals(true, a.contains(InstanceStatus.FAILED) && a.contains(InstanceStatus.RUNNING), a.toString());
  }

  private List<InstanceStatus> statuses(long seed) {
    MutableClock c = MutableClock.atEpoch();
    InMemoryCloud cloud = InMemoryCloud.builder(c).seed(seed).launchFailureRate(0.3).build();
    cloud.grow(40);
    c.advance(Duration.ofMinutes(5));
    return cloud.listInstances().stream().map(CloudInstance::status).toList();
  }

  @Test
  void quotaAndApiErrorsAreTypedAndChangeNothing() {
    InMemoryCloud cloud = InMemoryCloud.builder(clock).quota(3).build();
    cloud.grow(2);
    assertEquals(CloudException.Kind.QUOTA, assertThrows(CloudException.class, () -> cloud.grow(2)).kind());
    assertEquals(2, cloud.targetSize());
    cloud.failNextCalls(1);
    assertEquals(CloudException.Kind.TRANSIENT,
        assertThrows(CloudException.class, () -> cloud.deleteInstances(List.of("jvb-00001"))).kind());
    assertEquals(2, cloud.listInstances().size());
    assertEquals(CloudException.Kind.REJECTED,
        assertThrows(CloudException.class, () -> cloud.createInstances(List.of("Bad Name"))).kind());
  }
}
