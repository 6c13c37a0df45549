package io.bridgekeeper.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CloudBackend} must do; a backend's test extends this and supplies a fresh,
 * empty group and a way to let its time pass. Shipped in the sdk-core test-jar for other backends
 * (GCE runs it against its loopback fake of the Compute API).
 */
public abstract class CloudBackendContract {
  /** A fresh, empty instance group. */
  protected abstract CloudBackend newBackend();

  /** Lets {@code d} pass for the backend (advance a test clock, or drive a fake's operations). */
  protected abstract void advance(Duration d);

  /** Long enough for a new instance to be RUNNING. */
  protected Duration bootTime() {
    return Duration.ofMinutes(3);
  }

  static Set<String> names(List<CloudInstance> instances) {
    return instances.stream().map(CloudInstance::name).collect(Collectors.toSet());
  }

  @Test
  void growAddsInstancesThatBootToRunning() {
    CloudBackend cloud = newBackend();
    assertEquals(0, cloud.targetSize());
    cloud.grow(3);
    assertEquals(3, cloud.targetSize());
    assertEquals(3, cloud.listInstances().size());
    assertTrue(cloud.listInstances().stream().allMatch(i -> i.status().countsAsCapacity()));
    advance(bootTime());
    assertTrue(cloud.listInstances().stream().allMatch(i -> i.status() == InstanceStatus.RUNNING),
        () -> cloud.listInstances().toString());
  }

  @Test
  void namedInstancesKeepTheirNamesAndFields() {
    CloudBackend cloud = newBackend();
    cloud.createInstances(List.of("jvb-a", "jvb-b"));
    assertEquals(2, cloud.targetSize());
    List<CloudInstance> listed = cloud.listInstances();
    assertEquals(Set.of("jvb-a", "jvb-b"), names(listed));
    for (CloudInstance i : listed) {
      assertFalse(i.id().isBlank());
      assertFalse(i.zone().isBlank());
    }
    assertEquals(2, listed.stream().map(CloudInstance::id).distinct().count(), "ids are distinct");
  }

  @Test
  void deleteRemovesExactlyTheNamedInstances() {
    CloudBackend cloud = newBackend();
    cloud.createInstances(List.of("jvb-a", "jvb-b", "jvb-c", "jvb-d"));
    advance(bootTime());
    CloudBackend.DeleteResult r = cloud.deleteInstances(List.of("jvb-b", "jvb-d"));
    assertEquals(List.of("jvb-b", "jvb-d"), r.deleted());
    assertEquals(2, cloud.targetSize());
    advance(bootTime());
    assertEquals(Set.of("jvb-a", "jvb-c"), names(cloud.listInstances()), "only the named ones went");
  }

  @Test
  void deletingNamesTheGroupDoesNotHaveIsSkippedNotAnError() {
    CloudBackend cloud = newBackend();
    cloud.createInstances(List.of("jvb-a", "jvb-b"));
    advance(bootTime());
    assertEquals(List.of("jvb-a"), cloud.deleteInstances(List.of("jvb-a")).deleted());
    CloudBackend.DeleteResult again = cloud.deleteInstances(List.of("jvb-a", "jvb-zzz"));
    assertEquals(List.of(), again.deleted());
    assertEquals(List.of("jvb-a", "jvb-zzz"), again.skipped());
    assertEquals(1, cloud.targetSize(), "a retried delete lowers the target only once");
    advance(bootTime());
    assertEquals(Set.of("jvb-b"), names(cloud.listInstances()));
  }
}
