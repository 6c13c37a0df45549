package io.bridgekeeper.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bridgekeeper.bridges.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
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
  void growNamesItsInstancesAroundNamesInUse() {
    // A generated name equal to a named instance's replaced that VM: target 3, two listed.
    InMemoryCloud cloud = InMemoryCloud.builder(clock).build();
    cloud.createInstances(List.of("jvb-00002"));
    cloud.grow(2);
    assertEquals(3, cloud.targetSize());
    assertEquals(Set.of("jvb-00002", "jvb-00003", "jvb-00004"), names(cloud.listInstances()));
    // A name stays in use while its instance is stopping.
    InMemoryCloud other = InMemoryCloud.builder(clock).build();
    other.createInstances(List.of("jvb-00003"));
    other.deleteInstances(List.of("jvb-00003"));
    other.grow(2);
    assertEquals(2, other.targetSize());
    assertEquals(Set.of("jvb-00002", "jvb-00003", "jvb-00004"), names(other.listInstances()));
  }

  /**
   * Whatever mix of named creates, grows and deletes (names chosen to collide with generated
   * ones), every instance in the target size is listed: none is replaced by another.
   */
  @Property(tries = 300)
  void everyInstanceOfTheTargetSizeIsListed(@ForAll @Size(max = 20) List<@IntRange(min = -12, max = 12) Integer> ops) {
    MutableClock c = MutableClock.atEpoch();
    InMemoryCloud cloud = InMemoryCloud.builder(c).bootDelay(Duration.ofSeconds(20)).deleteDelay(Duration.ofSeconds(25))
        .build();
    for (int op : ops) {
      String name = String.format("jvb-%05d", Math.abs(op));
      if (op > 6) {
        cloud.grow(op - 6);
      } else if (op > 0 && cloud.listInstances().stream().noneMatch(i -> i.name().equals(name))) {
        cloud.createInstances(List.of(name));
      } else if (op < 0) {
        cloud.deleteInstances(List.of(name));
      }
      c.advance(Duration.ofSeconds(10));
      long live = cloud.listInstances().stream().filter(i -> i.status() != InstanceStatus.STOPPING).count();
      assertEquals(cloud.targetSize(), live, () -> cloud.listInstances().toString());
    }
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
