package io.bridgekeeper.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudException;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InstanceStatus;
import io.bridgekeeper.gcp.fake.FakeComputeServer;
import io.bridgekeeper.gcp.fake.FakeComputeServer.AutoscalerMode;
import io.bridgekeeper.gcp.fake.FakeComputeServer.Request;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults through the real client against the loopback fake: each one is retried (with the same
 * request id for a mutation) or surfaced as a typed {@link CloudException} — and nothing is ever
 * deleted that was not named (the fake counts resize-downs; every test ends checking there were
 * none).
 */
class GceFaultsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  FakeComputeServer fake;
  final List<Duration> sleeps = new ArrayList<>();
  final List<GceInstanceGroupBackend> open = new ArrayList<>();

  @BeforeEach
  void start() {
    fake = FakeComputeServer.start();
  }

  @AfterEach
  void stop() {
    open.forEach(GceInstanceGroupBackend::close);
    assertEquals(0, fake.resizeDowns(), "never a resize-down: GCE would pick the victims");
    fake.close();
  }

  GceInstanceGroupBackend open(GceInstanceGroupBackend.Builder b) {
    GceInstanceGroupBackend backend = b.build();
    open.add(backend);
    return backend;
  }

  GceInstanceGroupBackend zonal(String... running) {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref).withRunning(running);
    return open(GceTesting.backend(fake, ref, sleeps));
  }

  static JsonNode body(Request r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> deletedRefs(Request r) {
    List<String> out = new ArrayList<>();
    body(r).path("instances").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void rateLimitedReadsAreRetriedWithGrowingJitteredBackoff() {
    GceInstanceGroupBackend gce = zonal("jvb-a");
    fake.failNext("listManagedInstances", 429, 2);
    assertEquals(List.of("jvb-a"), gce.listInstances().stream().map(CloudInstance::name).toList());
    assertEquals(3, fake.requests("listManagedInstances").size());
    assertEquals(2, sleeps.size());
    // Policy: 100 ms doubling; equal jitter keeps each wait in [backoff/2, backoff].
    assertTrue(sleeps.get(0).toMillis() >= 50 && sleeps.get(0).toMillis() <= 100, sleeps::toString);
    assertTrue(sleeps.get(1).toMillis() >= 100 && sleeps.get(1).toMillis() <= 200, sleeps::toString);
  }

  @Test
  void anUnavailableMutationIsRetriedWithTheSameRequestId() {
    GceInstanceGroupBackend gce = zonal();
    fake.failNext("resize", 503, 2);
    gce.grow(2);
    assertEquals(2, gce.targetSize());
    List<Request> resizes = fake.requests("resize");
    assertEquals(3, resizes.size());
    Set<String> ids = resizes.stream().map(r -> r.query().get("requestId")).collect(Collectors.toSet());
    assertEquals(1, ids.size(), "one logical resize, one request id: " + ids);
    assertFalse(ids.iterator().next().isBlank());
    assertTrue(resizes.stream().allMatch(r -> r.query().get("size").equals("2")));
  }

  @Test
  void aMutationWhoseResponseWasLostIsAppliedOnce() {
    GceInstanceGroupBackend gce = zonal("jvb-a", "jvb-b", "jvb-c");
    fake.loseNextResponse("resize", 503);
    gce.grow(2);
    assertEquals(5, gce.targetSize(), "the retry was deduplicated by its request id, not applied again");
    fake.loseNextResponse("deleteInstances", 500);
    assertEquals(List.of("jvb-b"), gce.deleteInstances(List.of("jvb-b")).deleted());
    assertEquals(4, gce.targetSize());
    assertEquals(2, fake.dedupedMutations());
    List<Request> deletes = fake.requests("deleteInstances");
    assertEquals(2, deletes.size());
    assertEquals(deletes.get(0).query().get("requestId"), deletes.get(1).query().get("requestId"));
    // Where a second application would show: a re-created name would be refused as existing.
    fake.loseNextResponse("createInstances", 502);
    gce.createInstances(List.of("jvb-d"));
    assertEquals(5, gce.targetSize());
    assertEquals(3, fake.dedupedMutations());
    // A failed poll of the operation (429: gax's operation polling retries only 503 and 504 by
    // itself) re-sends the mutation with its id, and GCE answers with the same operation.
    fake.failNext("operations.get", 429, 1);
    gce.grow(1);
    assertEquals(6, gce.targetSize());
    assertEquals(4, fake.dedupedMutations());
  }

  @Test
  void persistentServerErrorsGiveUpAsTransientAfterTheLastAttempt() {
    GceInstanceGroupBackend gce = zonal();
    fake.failNext("get", 503, 10);
    CloudException e = assertThrows(CloudException.class, gce::targetSize);
    assertEquals(CloudException.Kind.TRANSIENT, e.kind());
    assertTrue(e.getMessage().contains("HTTP 503") && e.getMessage().contains("4 attempts"), e.getMessage());
    assertEquals(4, fake.requests("get").size());
  }

  @Test
  void anOperationThatIsNeverDoneTimesOutAsTransient() {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref);
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps)
        .operationPolling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(400)));
    fake.operationsNeverFinish(true);
    long t0 = System.nanoTime();
    CloudException e = assertThrows(CloudException.class, () -> gce.grow(1));
    assertEquals(CloudException.Kind.TRANSIENT, e.kind());
    assertInstanceOf(CancellationException.class, e.getCause(), "gax's polling timeout");
    assertTrue(e.getMessage().contains("not DONE within PT0.4S"), e.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(5)) < 0, "bounded wait");
    assertTrue(fake.requests("operations.get").size() >= 2, "it polled");
    assertEquals(1, fake.requests("resize").size(), "a timeout is surfaced, not re-sent");
  }

  @Test
  void aSlowResponseTimesOutAndIsRetried() {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref).withRunning("jvb-a");
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps).requestTimeout(Duration.ofMillis(500)));
    fake.delayNext("get", Duration.ofSeconds(3));
    long t0 = System.nanoTime();
    assertEquals(1, gce.targetSize());
    // At least one retry (more only if the machine is slow enough to time out a fast answer too).
    assertTrue(fake.requests("get").size() >= 2 && !sleeps.isEmpty(), () -> fake.requests("get").toString());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofMillis(2500)) < 0,
        "it gave up on the slow answer instead of waiting for it");
  }

  @Test
  void anOperationDoneWithErrorsIsSurfacedWithItsKind() {
    GceInstanceGroupBackend gce = zonal("jvb-a", "jvb-b");
    fake.failNextOperation("resize", "QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 24.0 in region europe-west1.");
    CloudException quota = assertThrows(CloudException.class, () -> gce.grow(1));
    assertEquals(CloudException.Kind.QUOTA, quota.kind());
    assertTrue(quota.getMessage().contains("QUOTA_EXCEEDED: Quota 'CPUS' exceeded"), quota.getMessage());
    assertEquals(2, gce.targetSize(), "nothing applied");

    fake.failNextOperation("deleteInstances", "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "in use");
    CloudException rejected = assertThrows(CloudException.class, () -> gce.deleteInstances(List.of("jvb-a")));
    assertEquals(CloudException.Kind.REJECTED, rejected.kind());
    assertTrue(rejected.getMessage().contains("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"), rejected.getMessage());
    assertEquals(1, fake.requests("deleteInstances").size(), "an operation error is not retried");
  }

  @Test
  void anOperationThatFailedWithAnHttpStatusIsSurfacedNotReSent() {
    GceInstanceGroupBackend gce = zonal("jvb-a");
    fake.failNextOperation("resize", "SERVICE_UNAVAILABLE", "Backend unavailable", 503);
    CloudException unavailable = assertThrows(CloudException.class, () -> gce.grow(1));
    assertEquals(CloudException.Kind.TRANSIENT, unavailable.kind());
    assertTrue(unavailable.getMessage().contains("the operation failed"), unavailable.getMessage());
    assertEquals(1, fake.requests("resize").size(), "the same request id would only return the failed operation");
    fake.failNextOperation("deleteInstances", "PERMISSION_DENIED", "Required 'compute.instances.delete'", 403);
    CloudException denied = assertThrows(CloudException.class, () -> gce.deleteInstances(List.of("jvb-a")));
    assertEquals(CloudException.Kind.REJECTED, denied.kind());
    assertEquals(1, gce.targetSize(), "nothing applied");
    gce.grow(1); // a new logical call, a new request id: applied
    assertEquals(2, gce.targetSize());
  }

  @Test
  void resizingAGroupUnderGceAutoscalerIsRefusedClearly() {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref).withRunning("jvb-a").withAutoscaler(AutoscalerMode.ON);
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps));
    CloudException e = assertThrows(CloudException.class, () -> gce.grow(1));
    assertEquals(CloudException.Kind.REJECTED, e.kind());
    assertTrue(e.getMessage().contains("412") && e.getMessage().contains("/autoscalers/" + ref.name() + "-as")
        && e.getMessage().contains("ONLY_SCALE_OUT") && e.getMessage().contains("mode to OFF"), e.getMessage());
    assertTrue(e.getMessage().contains("GCE said: Resizing of autoscaled zonal managed instance groups is not allowed")
        && e.getMessage().contains("(conditionNotMet)"), "GCE's own text, not just the HTTP reason: " + e.getMessage());
    assertEquals(1, fake.requests("resize").size(), "a 412 is not retried");
    assertEquals(1, gce.targetSize());
  }

  @Test
  void underAnOnlyScaleOutAutoscalerDrainedInstancesAreStillDeletedByName() {
    GceGroupRef ref = GceTesting.newZonalRef();
    FakeComputeServer.Group group = fake.addGroup(ref).withRunning("jvb-a", "jvb-b", "jvb-c")
        .withAutoscaler(AutoscalerMode.ONLY_SCALE_OUT);
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps));
    GceGroupStatus status = gce.groupStatus();
    assertTrue(status.autoscaled() && status.autoscaler().get().endsWith("/autoscalers/" + ref.name() + "-as"));
    assertEquals(List.of("jvb-b"), gce.deleteInstances(List.of("jvb-b")).deleted());
    assertEquals(2, gce.targetSize());
    assertEquals(List.of("jvb-b"), group.deleting());
  }

  @Test
  void anInstanceThatVanishedBetweenListAndDeleteDoesNotFailTheBatch() {
    GceGroupRef ref = GceTesting.newZonalRef();
    FakeComputeServer.Group group = fake.addGroup(ref).withRunning("jvb-a", "jvb-b", "jvb-c");
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps));
    fake.vanishBeforeNextDelete("jvb-a");
    CloudBackend.DeleteResult r = gce.deleteInstances(List.of("jvb-a", "jvb-b"));
    assertEquals(List.of("jvb-a", "jvb-b"), r.deleted(), "both are gone");
    assertEquals(List.of("jvb-b"), group.deleting());
    assertEquals(List.of("jvb-b", "jvb-c"), group.instanceNames(), "jvb-c, not named, untouched");
    assertEquals(1, group.targetSize());
    JsonNode body = body(fake.requests("deleteInstances").get(0));
    assertTrue(body.path("skipInstancesOnValidationError").asBoolean(), body.toString());
  }

  @Test
  void deletesGoByPartialUrlInBatchesOfAtMostAThousandAcrossListPages() {
    String[] names = IntStream.range(0, 1001).mapToObj(i -> "jvb-" + i).toArray(String[]::new);
    GceInstanceGroupBackend gce = zonal(names);
    fake.pageSize(400);
    CloudBackend.DeleteResult r = gce.deleteInstances(List.of(names));
    assertEquals(1001, r.deleted().size());
    assertEquals(3, fake.requests("listManagedInstances").size(), "three pages listed");
    List<Request> deletes = fake.requests("deleteInstances");
    assertEquals(List.of(1000, 1), deletes.stream().map(d -> deletedRefs(d).size()).toList());
    assertEquals("zones/" + GceTesting.ZONE + "/instances/jvb-0", deletedRefs(deletes.get(0)).get(0));
    assertEquals(0, gce.targetSize());
    assertEquals(0, fake.requests("resize").size());
  }

  @Test
  void aRegionalGroupDeletesEachInstanceInItsOwnZone() {
    GceGroupRef ref = GceTesting.newRegionalRef();
    fake.addGroup(ref).withRunning("jvb-a", "jvb-b", "jvb-c");
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps));
    assertEquals(Map.of("jvb-a", "europe-west1-b", "jvb-b", "europe-west1-c", "jvb-c", "europe-west1-d"),
        gce.listInstances().stream().collect(Collectors.toMap(CloudInstance::name, CloudInstance::zone)));
    gce.deleteInstances(List.of("jvb-c", "jvb-a"));
    assertEquals(List.of("zones/europe-west1-d/instances/jvb-c", "zones/europe-west1-b/instances/jvb-a"),
        deletedRefs(fake.requests("deleteInstances").get(0)));
    assertEquals("projects/" + GceTesting.PROJECT + "/regions/" + GceTesting.REGION + "/instanceGroupManagers/"
        + ref.name(), fake.requests("deleteInstances").get(0).group());
    GceGroupStatus status = gce.groupStatus();
    assertEquals(1, status.targetSize());
    assertEquals(2, status.pending("deleting"));
    assertEquals(java.util.Optional.of("PROACTIVE"), status.instanceRedistribution());
  }

  @Test
  void statusesFollowTheGroupAndCreationTimesComeFromTheVm() {
    GceInstanceGroupBackend gce = zonal();
    Instant t0 = fake.clock().instant();
    gce.grow(2);
    GceGroupStatus accepted = gce.groupStatus();
    assertEquals(2, accepted.targetSize());
    assertFalse(accepted.stable(), "DONE means accepted, not there");
    assertEquals(2, accepted.pending("creating"));
    List<CloudInstance> creating = gce.listInstances();
    assertTrue(creating.stream().allMatch(i -> i.status() == InstanceStatus.PROVISIONING
        && i.labels().get("gce.currentAction").equals("CREATING")), creating::toString);
    fake.advance(Duration.ofSeconds(30));
    assertTrue(gce.listInstances().stream().allMatch(i -> i.status() == InstanceStatus.PROVISIONING
        && i.labels().get("gce.instanceStatus").equals("PROVISIONING")));
    fake.advance(Duration.ofSeconds(30));
    assertTrue(gce.listInstances().stream().allMatch(i -> i.status() == InstanceStatus.PROVISIONING
        && i.labels().get("gce.currentAction").equals("VERIFYING")
        && i.labels().get("gce.instanceStatus").equals("STAGING")));
    fake.advance(Duration.ofSeconds(60));
    List<CloudInstance> running = gce.listInstances();
    assertTrue(running.stream().allMatch(i -> i.status() == InstanceStatus.RUNNING
        && i.labels().get("gce.health").equals("HEALTHY") && i.createdAt().equals(t0)), running::toString);
    assertTrue(gce.groupStatus().stable());
    int gets = fake.requests("instances.get").size();
    gce.listInstances();
    assertEquals(gets, fake.requests("instances.get").size(), "creation times are cached per VM");
    gce.deleteInstances(List.of(running.get(0).name()));
    assertEquals(InstanceStatus.STOPPING, gce.listInstances().get(0).status());
    assertEquals(1, gce.groupStatus().pending("deleting"));
  }

  @Test
  void aMissingGroupIsRejectedWithoutRetrying() {
    GceGroupRef ref = GceTesting.newZonalRef();
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps));
    CloudException e = assertThrows(CloudException.class, gce::targetSize);
    assertEquals(CloudException.Kind.REJECTED, e.kind());
    assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("The resource '" + ref.path()
        + "' was not found (notFound)"), e.getMessage());
    assertEquals(1, fake.requests("get").size());
  }

  @Test
  void aRequestIdGceWouldRefuseIsRejectedNotRetried() {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref);
    GceInstanceGroupBackend gce = open(GceTesting.backend(fake, ref, sleeps).requestIds(() -> "retry-1"));
    CloudException e = assertThrows(CloudException.class, () -> gce.grow(1));
    assertEquals(CloudException.Kind.REJECTED, e.kind());
    assertTrue(e.getMessage().contains("HTTP 400 INVALID_ARGUMENT: Invalid value for field 'requestId': 'retry-1'"),
        e.getMessage());
    assertEquals(1, fake.requests("resize").size());
  }

  @Test
  void credentialsAreInjectable() {
    GceGroupRef ref = GceTesting.newZonalRef();
    fake.addGroup(ref);
    GceInstanceGroupBackend anonymous = open(GceTesting.backend(fake, ref, sleeps));
    anonymous.targetSize();
    assertEquals(null, fake.requests("get").get(0).authorization(), "NoCredentialsProvider sends none");
    GceInstanceGroupBackend withToken = open(GceTesting.backend(fake, ref, sleeps).credentials(
        FixedCredentialsProvider.create(GoogleCredentials.create(new AccessToken("test-token",
            java.util.Date.from(Instant.now().plus(Duration.ofHours(1))))))));
    withToken.grow(1);
    assertEquals("Bearer test-token", fake.requests("resize").get(0).authorization());
  }

  @Test
  void namedCreationChecksNamesBeforeCallingGce() {
    GceInstanceGroupBackend gce = zonal("jvb-a");
    assertEquals(CloudException.Kind.REJECTED,
        assertThrows(CloudException.class, () -> gce.createInstances(List.of("jvb-a", "jvb-b"))).kind());
    assertEquals(CloudException.Kind.REJECTED,
        assertThrows(CloudException.class, () -> gce.createInstances(List.of("JVB_B"))).kind());
    assertEquals(0, fake.requests("createInstances").size());
    gce.createInstances(List.of("jvb-b", "jvb-c"));
    JsonNode body = body(fake.requests("createInstances").get(0));
    assertEquals("[{\"name\":\"jvb-b\"},{\"name\":\"jvb-c\"}]", body.path("instances").toString());
    assertEquals(3, gce.targetSize());
  }
}
