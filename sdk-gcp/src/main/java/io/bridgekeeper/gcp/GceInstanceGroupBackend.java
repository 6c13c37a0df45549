package io.bridgekeeper.gcp;

import com.google.api.client.http.HttpResponseException;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagerActionsSummary;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.ManagedInstanceInstanceHealth;
import com.google.cloud.compute.v1.Operation;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudException;
import io.bridgekeeper.cloud.CloudInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GCE managed instance group (zonal or regional) as a {@link CloudBackend}, through the official
 * {@code google-cloud-compute} client.
 *
 * <ul>
 *   <li><b>Grow</b>: {@code resize} to the current target size plus the count, or
 *       {@code createInstances} for chosen names (from the group's template).
 *   <li><b>Shrink only by name</b>: {@code deleteInstances} of exactly the named instances,
 *       {@code skipInstancesOnValidationError=true}, at most 1,000 per call. This class never
 *       resizes down: GCE would pick the victims itself, live bridges included (REST docs of
 *       {@code instanceGroupManagers.resize}).
 *   <li><b>Operations</b>: each mutation waits for its operation to be DONE, then checks its
 *       {@code error} — a DONE operation can carry errors without an HTTP error code, which gax does
 *       not turn into an exception ({@code HttpJsonOperationSnapshot}). DONE only means GCE accepted
 *       the change; convergence shows in {@link #groupStatus()} and in the instances' statuses. An
 *       operation still running after the operation timeout is a TRANSIENT {@link CloudException}.
 *   <li><b>Retries</b>: 429, 5xx and dropped or timed-out calls are retried with backoff
 *       ({@link GceRetryPolicy}); each mutation carries a {@code requestId} that its retries reuse,
 *       so GCE applies it once even when a response was lost. Other errors are not retried:
 *       REJECTED (or QUOTA) with GCE's message.
 *   <li><b>A group under GCE's autoscaler</b> refuses resizes with HTTP 412; {@link #grow} then
 *       fails REJECTED naming the autoscaler. Deleting named instances still works, so an
 *       autoscaler in mode ONLY_SCALE_OUT (it adds VMs, never removes them) plus Bridgekeeper
 *       draining and deleting is a working combination.
 * </ul>
 *
 * <p>{@link CloudInstance#createdAt()}: {@code ManagedInstance} has no creation time, so it is the
 * VM's {@code creationTimestamp} from {@code instances.get}, fetched once per VM and cached; while
 * a VM does not exist yet (or that call fails) it is when this backend first listed it — later
 * than the truth, which only delays its scale-in by launch protection.
 *
 * <p>Thread-safe: calls are serialised (a grow reads the target size and resizes from it).
 * {@link #close()} closes the clients.
 */
public final class GceInstanceGroupBackend implements CloudBackend, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GceInstanceGroupBackend.class);
  /** REST docs of deleteInstances and createInstances: at most 1,000 instances per request. */
  static final int MAX_PER_REQUEST = 1000;
  private static final Pattern INSTANCE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern INSTANCE_URL = Pattern.compile("(?:.*/)?zones/([^/]+)/instances/([^/]+)$");
  private static final Set<String> TRANSIENT_OPERATION_ERRORS = Set.of("RATE_LIMIT_EXCEEDED", "INTERNAL_ERROR",
      "SERVICE_UNAVAILABLE", "BACKEND_ERROR");

  /** Sleeps between retries; tests replace it. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final GceGroupRef group;
  private final InstanceGroup igm;
  private final InstancesClient instances;
  private final GceRetryPolicy retry;
  private final Duration operationTimeout;
  private final Supplier<String> requestIds;
  private final Function<String, String> bridgeIdOfInstance;
  private final Clock clock;
  private final Sleeper sleeper;
  /** Jitter of the backoff; only used under this object's lock. */
  private final RandomGenerator random;
  /** Creation time of each VM by id: it never changes, so one instances.get per VM. */
  private final Map<Long, Instant> createdAt = new ConcurrentHashMap<>();
  /** When an instance without a VM (yet) was first listed, by name. */
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

  private GceInstanceGroupBackend(Builder b, InstanceGroup igm) {
    this.group = b.group;
    this.igm = igm;
    this.retry = b.retry;
    this.operationTimeout = b.operationTimeout;
    this.requestIds = b.requestIds;
    this.bridgeIdOfInstance = b.bridgeIdOfInstance;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.random = b.random != null ? b.random : new java.util.SplittableRandom();
    InstancesClient ic = null;
    if (b.fetchCreationTimes) {
      try {
        InstancesSettings.Builder s = b.config().apply(InstancesSettings.newBuilder());
        s.applyToAllUnaryMethods(u -> {
          b.config().singleAttempt(u);
          return null;
        });
        ic = InstancesClient.create(s.build());
      } catch (IOException e) {
        igm.close();
        throw new UncheckedIOException("cannot create the Compute instances client: " + e.getMessage(), e);
      }
    }
    this.instances = ic;
  }

  public static Builder builder(GceGroupRef group) {
    return new Builder(group);
  }

  /** The group. */
  public GceGroupRef group() {
    return group;
  }

  /**
   * The bridge id (MUC nickname) of an instance, by the configured mapping (default: the instance
   * name, which is the VM's host name and so a videobridge's default nickname). Give it to the
   * autoscaler: {@code Autoscaler.builder().bridgeOfInstance(backend::bridgeIdOf)}.
   */
  public String bridgeIdOf(String instanceName) {
    return bridgeIdOfInstance.apply(instanceName);
  }

  /** Target size, stability, pending actions and whether GCE's autoscaler is attached. */
  public synchronized GceGroupStatus groupStatus() {
    InstanceGroupManager m = call("get " + group, igm::get);
    Map<String, Integer> actions = new LinkedHashMap<>();
    InstanceGroupManagerActionsSummary a = m.getCurrentActions();
    put(actions, "abandoning", a.getAbandoning());
    put(actions, "creating", a.getCreating());
    put(actions, "creatingWithoutRetries", a.getCreatingWithoutRetries());
    put(actions, "deleting", a.getDeleting());
    put(actions, "none", a.getNone());
    put(actions, "recreating", a.getRecreating());
    put(actions, "refreshing", a.getRefreshing());
    put(actions, "restarting", a.getRestarting());
    put(actions, "resuming", a.getResuming());
    put(actions, "starting", a.getStarting());
    put(actions, "stopping", a.getStopping());
    put(actions, "suspending", a.getSuspending());
    put(actions, "verifying", a.getVerifying());
    String autoscaler = m.getStatus().getAutoscaler();
    String redistribution = m.getUpdatePolicy().getInstanceRedistributionType();
    return new GceGroupStatus(group, m.getTargetSize(), m.getStatus().getIsStable(), actions,
        autoscaler.isEmpty() ? Optional.empty() : Optional.of(autoscaler),
        redistribution.isEmpty() ? Optional.empty() : Optional.of(redistribution));
  }

  private static void put(Map<String, Integer> m, String k, int v) {
    if (v != 0) {
      m.put(k, v);
    }
  }

  /** The group's members as GCE lists them (every page). */
  public synchronized List<GceManagedInstance> managedInstances() {
    List<GceManagedInstance> out = new ArrayList<>();
    for (ManagedInstance mi : call("listManagedInstances " + group, igm::listManagedInstances)) {
      out.add(toManaged(mi));
    }
    return out;
  }

  private GceManagedInstance toManaged(ManagedInstance mi) {
    Matcher url = INSTANCE_URL.matcher(mi.getInstance());
    boolean hasUrl = url.matches();
    String name = !mi.getName().isEmpty() ? mi.getName() : hasUrl ? url.group(2) : "";
    String zone = hasUrl ? url.group(1) : group.location();
    Optional<String> health = mi.getInstanceHealthList().stream()
        .map(ManagedInstanceInstanceHealth::getDetailedHealthState)
        .filter(s -> !s.isEmpty())
        .min((x, y) -> Integer.compare(healthRank(x), healthRank(y)));
    List<String> errors = mi.getLastAttempt().getErrors().getErrorsList().stream()
        .map(e -> e.getCode() + ": " + e.getMessage()).toList();
    return new GceManagedInstance(name, mi.getId(), zone, mi.getCurrentAction(), mi.getInstanceStatus(), health,
        errors, hasUrl ? Optional.of("zones/" + url.group(1) + "/instances/" + url.group(2)) : Optional.empty());
  }

  /** Lower is worse: the worst state of an instance's health checks is its health. */
  private static int healthRank(String s) {
    return switch (s) {
      case "UNHEALTHY" -> 0;
      case "TIMEOUT" -> 1;
      case "DRAINING" -> 2;
      case "UNKNOWN" -> 3;
      default -> 4;
    };
  }

  @Override
  public synchronized List<CloudInstance> listInstances() {
    Instant now = clock.instant();
    List<GceManagedInstance> members = managedInstances();
    Set<String> names = new LinkedHashSet<>();
    Set<Long> ids = new java.util.HashSet<>();
    List<CloudInstance> out = new ArrayList<>();
    for (GceManagedInstance m : members) {
      if (m.name().isEmpty()) {
        continue; // a queued instance GCE has not named yet: nothing can refer to it
      }
      names.add(m.name());
      ids.add(m.id());
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("gce.currentAction", m.currentAction());
      labels.put("gce.instanceStatus", m.instanceStatus());
      m.health().ifPresent(h -> labels.put("gce.health", h));
      if (!m.lastAttemptErrors().isEmpty()) {
        labels.put("gce.lastAttemptErrors", String.join("; ", m.lastAttemptErrors()));
      }
      String id = m.id() != 0 ? Long.toUnsignedString(m.id()) : "pending:" + m.name();
      out.add(new CloudInstance(id, m.name(), m.status(), m.zone(), createdAt(m, now), labels));
    }
    // Forget instances that left the group, so a long-running autoscaler does not accumulate them.
    firstSeen.keySet().retainAll(names);
    createdAt.keySet().retainAll(ids);
    return out;
  }

  private Instant createdAt(GceManagedInstance m, Instant now) {
    if (m.id() != 0) {
      Instant known = createdAt.get(m.id());
      if (known != null) {
        return known;
      }
      if (instances != null && m.partialUrl().isPresent()) {
        Optional<Instant> fetched = creationTimestamp(m);
        if (fetched.isPresent()) {
          createdAt.put(m.id(), fetched.get());
          firstSeen.remove(m.name());
          return fetched.get();
        }
      }
    }
    return firstSeen.computeIfAbsent(m.name(), n -> now);
  }

  /**
   * One attempt, no retries: the creation time is a nicety, and a listing must not wait on backoff
   * for it. A VM not created yet (404), or any failure, leaves it unknown until the next listing.
   */
  private Optional<Instant> creationTimestamp(GceManagedInstance m) {
    try {
      Instance vm = instances.get(group.project(), m.zone(), m.name());
      return Optional.of(OffsetDateTime.parse(vm.getCreationTimestamp()).toInstant());
    } catch (ApiException | DateTimeParseException e) {
      LOG.debug("creation time of {} unknown for now: {}", m.name(), e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public synchronized int targetSize() {
    return call("get " + group, igm::get).getTargetSize();
  }

  /** Resizes up by {@code count}. A group under GCE's autoscaler refuses: REJECTED, naming it. */
  @Override
  public synchronized void grow(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("grow by at least 1, was " + count);
    }
    int target = targetSize();
    long size = (long) target + count;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("cannot grow " + group + " from " + target + " by " + count);
    }
    try {
      mutate("resize " + group + " to " + size, id -> igm.resize((int) size, id));
    } catch (CloudException e) {
      throw refusedByAutoscaler(e, "resize").orElseThrow(() -> e);
    }
  }

  @Override
  public synchronized void createInstances(List<String> names) {
    Objects.requireNonNull(names, "names");
    Set<String> unique = new LinkedHashSet<>();
    for (String n : names) {
      if (n == null || !INSTANCE_NAME.matcher(n).matches()) {
        throw new CloudException(CloudException.Kind.REJECTED, "instance name '" + n
            + "' must be 1-63 characters of [-a-z0-9], starting with a letter and not ending with '-'");
      }
      if (!unique.add(n)) {
        throw new CloudException(CloudException.Kind.REJECTED, "instance name " + n + " is given twice");
      }
    }
    if (unique.isEmpty()) {
      return;
    }
    Set<String> existing = new LinkedHashSet<>();
    for (GceManagedInstance m : managedInstances()) {
      existing.add(m.name());
    }
    List<String> clash = unique.stream().filter(existing::contains).toList();
    if (!clash.isEmpty()) {
      throw new CloudException(CloudException.Kind.REJECTED, group + " already has instances named " + clash);
    }
    for (List<String> batch : batches(List.copyOf(unique))) {
      try {
        mutate("createInstances " + batch + " in " + group, id -> igm.createInstances(batch, id));
      } catch (CloudException e) {
        throw refusedByAutoscaler(e, "createInstances").orElseThrow(() -> e);
      }
    }
  }

  /**
   * Deletes exactly the named instances: lists the group first; names it does not have, or that
   * it is already deleting or abandoning, are skipped (so a retry is harmless); the rest go to
   * {@code deleteInstances} by partial URL in batches of at most 1,000, with
   * {@code skipInstancesOnValidationError} so an instance that vanished between the list and the
   * delete does not fail the batch. Never a resize.
   */
  @Override
  public synchronized DeleteResult deleteInstances(List<String> names) {
    Objects.requireNonNull(names, "names");
    Set<String> unique = new LinkedHashSet<>();
    for (String n : names) {
      if (n == null || n.isBlank()) {
        throw new CloudException(CloudException.Kind.REJECTED, "blank instance name in " + names);
      }
      unique.add(n);
    }
    if (unique.isEmpty()) {
      return new DeleteResult(List.of(), List.of());
    }
    Map<String, GceManagedInstance> members = new LinkedHashMap<>();
    for (GceManagedInstance m : managedInstances()) {
      members.put(m.name(), m);
    }
    List<String> deleted = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    for (String n : unique) {
      GceManagedInstance m = members.get(n);
      if (m == null || m.leaving()) {
        skipped.add(n);
      } else {
        deleted.add(n);
        // Queued instances have no URL and can be deleted only by name (REST docs).
        refs.add(m.partialUrl().orElse(n));
      }
    }
    List<List<String>> batches = batches(refs);
    for (int i = 0; i < batches.size(); i++) {
      List<String> batch = batches.get(i);
      try {
        mutate("deleteInstances " + batch + " in " + group, id -> igm.deleteInstances(batch, id));
      } catch (CloudException e) {
        // Earlier batches went through: say which, so the caller knows a retry skips them.
        if (i > 0) {
          throw new CloudException(e.kind(), e.getMessage() + " (deleted before the failure: "
              + deleted.subList(0, i * MAX_PER_REQUEST) + ")", e);
        }
        throw e;
      }
    }
    return new DeleteResult(deleted, skipped);
  }

  private static List<List<String>> batches(List<String> all) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += MAX_PER_REQUEST) {
      out.add(List.copyOf(all.subList(i, Math.min(all.size(), i + MAX_PER_REQUEST))));
    }
    return out;
  }

  /** A 412 on an autoscaled group, explained; empty if {@code e} is something else. */
  private Optional<CloudException> refusedByAutoscaler(CloudException e, String call) {
    if (!(e.getCause() instanceof ApiException api) || httpStatus(api) != 412) {
      return Optional.empty();
    }
    String autoscaler;
    try {
      autoscaler = groupStatus().autoscaler().orElse("(none attached now)");
    } catch (CloudException again) {
      autoscaler = "(unknown: " + again.getMessage() + ")";
    }
    return Optional.of(new CloudException(CloudException.Kind.REJECTED, call + " of " + group
        + " refused (412): the group is managed by GCE autoscaler " + autoscaler
        + ". GCE refuses manual size changes of an autoscaled group. Let Bridgekeeper own the size (delete the "
        + "autoscaler or set its mode to OFF), or keep GCE for scale-out (mode ONLY_SCALE_OUT) and use "
        + "Bridgekeeper only to drain and delete: deleteInstances is allowed. GCE said: " + gceMessage(api), e));
  }

  /** Starts a mutation with a fresh request id, retried with the same id; waits for its operation. */
  private void mutate(String what, Function<String, OperationFuture<Operation, Operation>> start) {
    String requestId = requestIds.get();
    Operation op = call(what, () -> awaitDone(what, start.apply(requestId)));
    if (op.hasError() && op.getError().getErrorsCount() > 0) {
      List<Errors> errors = op.getError().getErrorsList();
      CloudException.Kind kind = errors.stream().anyMatch(e -> e.getCode().contains("QUOTA"))
          ? CloudException.Kind.QUOTA
          : errors.stream().allMatch(e -> TRANSIENT_OPERATION_ERRORS.contains(e.getCode()))
              ? CloudException.Kind.TRANSIENT : CloudException.Kind.REJECTED;
      throw new CloudException(kind, what + ": operation " + op.getName() + " finished with errors: "
          + errors.stream().map(e -> e.getCode() + ": " + e.getMessage()).toList());
    }
  }

  private Operation awaitDone(String what, OperationFuture<Operation, Operation> future) {
    try {
      // The polling algorithm cancels past the operation timeout; the bound here only guards
      // against a future that never completes at all.
      return future.get(operationTimeout.toMillis() + 60_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) {
        if (causedByTransport(api)) {
          throw api; // the request or a poll failed on the wire: call() re-sends it with the same request id
        }
        // The operation itself failed (DONE with httpErrorStatusCode, which gax raises): GCE did
        // not apply it, and a re-send with the same request id would only return the same failed
        // operation. Surfaced; a TRANSIENT one is tried again by the caller's next step.
        String message = gceMessage(api);
        throw new CloudException(kindOf(api, message), what + ": the operation failed: " + message, api);
      }
      throw new CloudException(CloudException.Kind.TRANSIENT, what + ": " + e.getCause(), e.getCause());
    } catch (CancellationException | TimeoutException e) {
      throw new CloudException(CloudException.Kind.TRANSIENT, what + ": the operation was not DONE within "
          + operationTimeout + " (gave up waiting; GCE may still carry it out)", e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CloudException(CloudException.Kind.TRANSIENT, what + ": interrupted", e);
    }
  }

  /** Runs {@code call}, retrying transient API errors; any API error left becomes a CloudException. */
  private <T> T call(String what, Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (ApiException e) {
        if (!isTransient(e) || attempt >= retry.maxAttempts()) {
          throw translate(what, e, attempt);
        }
        Duration backoff = retry.backoff(attempt);
        // Equal jitter: half fixed, half random, so replicas that failed together spread out.
        Duration wait = backoff.dividedBy(2).plusNanos(backoff.toNanos() <= 1 ? 0
            : random.nextLong(backoff.toNanos() / 2 + 1));
        LOG.info("{}: {} (attempt {} of {}), retrying in {} ms", what, e.getMessage(), attempt,
            retry.maxAttempts(), wait.toMillis());
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new CloudException(CloudException.Kind.TRANSIENT, what + ": interrupted while backing off", ie);
        }
      }
    }
  }

  private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern JSON_REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([A-Za-z_]+)\"");

  /**
   * GCE's own error text. gax-httpjson's exception message is only the HTTP reason phrase ("Bad
   * Request"); GCE's JSON body ({@code {"error":{"message":…,"errors":[{"reason":…}]}}}) is kept in
   * the {@link HttpResponseException} it wraps.
   */
  static String gceMessage(ApiException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpResponseException h && h.getContent() != null) {
        Matcher m = JSON_MESSAGE.matcher(h.getContent());
        if (m.find()) {
          Matcher reason = JSON_REASON.matcher(h.getContent());
          return m.group(1).replace("\\\"", "\"").replace("\\n", " ").replace("\\\\", "\\")
              + (reason.find() ? " (" + reason.group(1) + ")" : "");
        }
      }
    }
    return e.getMessage() == null ? e.getStatusCode().getCode().name() : e.getMessage();
  }

  static int httpStatus(ApiException e) {
    Object code = e.getStatusCode().getTransportCode();
    return code instanceof Integer i ? i : -1;
  }

  static boolean isTransient(ApiException e) {
    int http = httpStatus(e);
    if (http == 429 || http >= 500) {
      return true;
    }
    StatusCode.Code code = e.getStatusCode().getCode();
    return switch (code) {
      case RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, ABORTED -> true;
      // gax reports a failed connection (refused, reset) as UNKNOWN with the IOException as cause.
      case UNKNOWN -> e.getCause() instanceof IOException;
      default -> false;
    };
  }

  private static CloudException translate(String what, ApiException e, int attempts) {
    int http = httpStatus(e);
    String message = gceMessage(e);
    String detail = what + ": " + (http > 0 ? "HTTP " + http + " " : "") + e.getStatusCode().getCode() + ": " + message;
    CloudException.Kind kind = kindOf(e, message);
    return new CloudException(kind, kind == CloudException.Kind.TRANSIENT
        ? detail + " (gave up after " + attempts + " attempts)" : detail, e);
  }

  private static CloudException.Kind kindOf(ApiException e, String message) {
    if (isTransient(e)) {
      return CloudException.Kind.TRANSIENT;
    }
    return message.contains("QUOTA_EXCEEDED") || message.contains("Quota '")
        ? CloudException.Kind.QUOTA : CloudException.Kind.REJECTED;
  }

  /** Whether {@code e} came from the wire (an HTTP error response, a timeout, a dropped connection). */
  private static boolean causedByTransport(ApiException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true; // HttpResponseException is one too
      }
    }
    return false;
  }

  @Override
  public void close() {
    try {
      igm.close();
    } finally {
      if (instances != null) {
        instances.close();
      }
    }
  }

  /**
   * Options; {@link #build()} checks them and creates the clients. Defaults: the client's endpoint
   * and Application Default Credentials, {@link GceRetryPolicy#defaults()}, 60 s per HTTP call,
   * operations polled from 500 ms up to every 5 s and given up after 2 min, UUID request ids,
   * bridge id = instance name, the system clock.
   */
  public static final class Builder {
    private final GceGroupRef group;
    private Optional<String> endpoint = Optional.empty();
    private Optional<CredentialsProvider> credentials = Optional.empty();
    private GceRetryPolicy retry = GceRetryPolicy.defaults();
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration pollInitialDelay = Duration.ofMillis(500);
    private Duration pollMaxDelay = Duration.ofSeconds(5);
    private Duration operationTimeout = Duration.ofMinutes(2);
    private Supplier<String> requestIds = () -> UUID.randomUUID().toString();
    private Function<String, String> bridgeIdOfInstance = Function.identity();
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    private RandomGenerator random;
    private boolean fetchCreationTimes = true;

    private Builder(GceGroupRef group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    /**
     * The Compute endpoint, e.g. {@code compute.googleapis.com:443} (the default), a private
     * service connect endpoint, or {@code http://127.0.0.1:PORT} for a test server.
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      if (endpoint.isBlank()) {
        throw new IllegalArgumentException("endpoint is blank");
      }
      this.endpoint = Optional.of(endpoint);
      return this;
    }

    /**
     * Where credentials come from; default: Application Default Credentials (the
     * {@code GOOGLE_APPLICATION_CREDENTIALS} key file, gcloud's, or the VM's service account via
     * the metadata server). {@code NoCredentialsProvider.create()} sends none (test servers).
     */
    public Builder credentials(CredentialsProvider provider) {
      this.credentials = Optional.of(Objects.requireNonNull(provider, "credentials"));
      return this;
    }

    public Builder retry(GceRetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Timeout of one HTTP call. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Operation polling: first poll after {@code initialDelay}, intervals growing ×1.5 up to
     * {@code maxDelay}; an operation not DONE after {@code timeout} fails the call (TRANSIENT).
     */
    public Builder operationPolling(Duration initialDelay, Duration maxDelay, Duration timeout) {
      positive("initialDelay", initialDelay);
      positive("maxDelay", maxDelay);
      positive("timeout", timeout);
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException("maxDelay " + maxDelay + " < initialDelay " + initialDelay);
      }
      this.pollInitialDelay = initialDelay;
      this.pollMaxDelay = maxDelay;
      this.operationTimeout = timeout;
      return this;
    }

    /** Request ids for mutations (GCE wants a UUID; it ignores a repeat of one for 60 minutes). */
    public Builder requestIds(Supplier<String> ids) {
      this.requestIds = Objects.requireNonNull(ids, "requestIds");
      return this;
    }

    /**
     * Bridge id (MUC nickname) of an instance name. Default: the same — a videobridge's nickname
     * defaults to its host name, which on GCE is the instance name. Set it when bridges use
     * another nickname (e.g. {@code name -> name + ".c.my-project.internal"}).
     */
    public Builder bridgeIdOfInstance(Function<String, String> mapping) {
      this.bridgeIdOfInstance = Objects.requireNonNull(mapping, "bridgeIdOfInstance");
      return this;
    }

    /** Clock for the first-seen time of instances whose VM's creation time is unknown. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether {@link CloudInstance#createdAt()} is the VM's creation time ({@code instances.get},
     * once per VM; needs {@code compute.instances.get}) — the default — or when this backend first
     * listed it.
     */
    public Builder fetchCreationTimes(boolean fetch) {
      this.fetchCreationTimes = fetch;
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The random source of the retry jitter (default: a randomly seeded one per backend). Used
     * under the backend's lock; give each backend its own unless it is thread-safe.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    ClientConfig config() {
      return new ClientConfig(endpoint, credentials, requestTimeout, pollInitialDelay, pollMaxDelay, operationTimeout);
    }

    /** Creates the clients (no call is made yet). */
    public GceInstanceGroupBackend build() {
      ClientConfig config = config();
      InstanceGroup igm = group.scope() == GceGroupRef.Scope.ZONAL
          ? new ZonalInstanceGroup(group, config)
          : new RegionalInstanceGroup(group, config);
      return new GceInstanceGroupBackend(this, igm);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
