package io.bridgekeeper.gcp.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bridgekeeper.gcp.GceGroupRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of the Compute Engine REST API, enough of it for managed instance groups, on a
 * JDK {@link HttpServer} bound to 127.0.0.1. The real {@code google-cloud-compute} client talks to
 * it through {@link #endpoint()} ({@code http://127.0.0.1:PORT}, no credentials).
 *
 * <p>Paths and verbs are what the 1.98.0 client sends (../shared/reference/gce-client.md §2.2;
 * templates in google-cloud-java {@code java-compute/google-cloud-compute/src/main/java/com/google/
 * cloud/compute/v1/stub/HttpJsonInstanceGroupManagersStub.java}): {@code GET .../instanceGroupManagers/G},
 * {@code POST .../G/resize?size=N}, {@code POST .../G/listManagedInstances} (paged), {@code POST
 * .../G/deleteInstances}, {@code POST .../G/createInstances}, {@code GET .../operations/OP} (zonal and
 * regional), {@code GET .../zones/Z/instances/NAME}.
 *
 * <p>Behaviour, after the REST docs:
 * <ul>
 *   <li>A mutation changes the group when it is accepted; its operation is RUNNING until polled
 *       {@link #operationPolls(int)} times, then DONE — DONE means accepted, not converged.
 *   <li>Instances move with the fake's manual {@link #clock()} through the boot time (90 s by
 *       default) in thirds: CREATING with no VM status, CREATING/PROVISIONING, VERIFYING/STAGING;
 *       then NONE/RUNNING. A deleted instance is DELETING/STOPPING for 30 s, then gone.
 *   <li>{@code requestId} must be a UUID (not the zero UUID); a mutation whose request id was seen
 *       before is not applied again, the first operation is answered (how GCE dedupes retries).
 *   <li>{@code deleteInstances}: a malformed instance reference or one in a zone outside the group
 *       always fails the request (400); a non-member, or one already deleting, fails it too unless
 *       {@code skipInstancesOnValidationError} is true, when it is skipped. Each deleted instance
 *       lowers the target size by one.
 *   <li>A resize-down deletes instances the fake picks (the newest first), as GCE's does —
 *       counted in {@link #resizeDowns()}, which tests expect to stay 0.
 *   <li>A group with an autoscaler in mode ON or ONLY_SCALE_OUT refuses {@code resize} and
 *       {@code createInstances} with 412 conditionNotMet (terraform-google-vm#64 quotes GCE's text);
 *       {@code deleteInstances} is allowed.
 * </ul>
 *
 * <p>Faults on demand: HTTP errors before a call ({@link #failNext}), a lost response after the
 * call was applied ({@link #loseNextResponse}), an operation DONE with errors and no HTTP status
 * ({@link #failNextOperation}), operations that never finish, a slow response, and an instance that
 * vanishes just before a delete. Thread-safe; every request is logged ({@link #requests()}).
 */
public final class FakeComputeServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SELF = "https://www.googleapis.com/compute/v1/";
  private static final Pattern ROUTE = Pattern.compile(
      "/compute/v1/projects/([^/]+)/(zones|regions)/([^/]+)/(instanceGroupManagers|operations|instances)/([^/]+)(?:/([A-Za-z]+))?");
  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern INSTANCE_REF = Pattern.compile(
      "(?:(?:https://[^/]+/compute/v1/)?(?:projects/[^/]+/)?zones/([a-z0-9-]+)/instances/)?([a-z]([-a-z0-9]{0,61}[a-z0-9])?)");

  /** One request as the fake received it. */
  public record Request(String method, String call, String group, Map<String, String> query, String body,
      String authorization) {}

  /** A GCE autoscaler's mode (AutoscalingPolicy.Mode). */
  public enum AutoscalerMode { ON, ONLY_SCALE_OUT, OFF }

  private enum FaultKind { FAIL_BEFORE, LOSE_AFTER, DELAY }

  private static final class Fault {
    final String call;
    final FaultKind kind;
    final int status;
    final Duration delay;
    int remaining;

    Fault(String call, FaultKind kind, int status, Duration delay, int remaining) {
      this.call = call;
      this.kind = kind;
      this.status = status;
      this.delay = delay;
      this.remaining = remaining;
    }
  }

  private static final class Vm {
    final long id;
    final String name;
    final String zone;
    final Instant created;
    Instant deleting;
    /** When it was preempted (spot): down for a boot time, then the group recreates it. */
    Instant preempted;

    Vm(long id, String name, String zone, Instant created) {
      this.id = id;
      this.name = name;
      this.zone = zone;
      this.created = created;
    }
  }

  private static final class Op {
    final long id;
    final String name;
    final String location;
    final String type;
    final String target;
    int pollsLeft;
    List<String[]> errors = List.of();

    Op(long id, String location, String type, String target, int polls) {
      this.id = id;
      this.name = "operation-" + id;
      this.location = location;
      this.type = type;
      this.target = target;
      this.pollsLeft = polls;
    }
  }

  /** One managed instance group of the fake. */
  public final class Group {
    private final GceGroupRef ref;
    private final Map<String, Vm> vms = new LinkedHashMap<>();
    private int targetSize;
    private String autoscaler;
    private AutoscalerMode autoscalerMode;
    private int zoneTurn;

    private Group(GceGroupRef ref) {
      this.ref = ref;
    }

    /** Adds instances that are RUNNING already (created a boot time ago), and raises the target size. */
    public Group withRunning(String... names) {
      synchronized (FakeComputeServer.this) {
        for (String n : names) {
          Vm vm = new Vm(nextId++, n, nextZone(), now.minus(bootDelay));
          vms.put(n, vm);
          targetSize++;
        }
        return this;
      }
    }

    /**
     * Preempts a VM (spot), as GCE does: it goes down (NONE/STOPPING, then NONE/TERMINATED), stays
     * in the target size, and the group recreates it (RECREATING/STAGING), a boot time in all.
     */
    public void preempt(String name) {
      synchronized (FakeComputeServer.this) {
        vms.get(name).preempted = now;
      }
    }

    /** Attaches a GCE autoscaler in {@code mode}. */
    public Group withAutoscaler(AutoscalerMode mode) {
      synchronized (FakeComputeServer.this) {
        autoscaler = SELF + "projects/" + ref.project() + "/" + ref.locationPath() + "/autoscalers/" + ref.name() + "-as";
        autoscalerMode = mode;
        return this;
      }
    }

    public int targetSize() {
      synchronized (FakeComputeServer.this) {
        return targetSize;
      }
    }

    /** Names of the instances the group has (any state), in creation order. */
    public List<String> instanceNames() {
      synchronized (FakeComputeServer.this) {
        expire(this);
        return List.copyOf(vms.keySet());
      }
    }

    /** Names of the instances being deleted. */
    public List<String> deleting() {
      synchronized (FakeComputeServer.this) {
        expire(this);
        return vms.values().stream().filter(v -> v.deleting != null).map(v -> v.name).toList();
      }
    }

    private String nextZone() {
      if (ref.scope() == GceGroupRef.Scope.ZONAL) {
        return ref.location();
      }
      String[] suffixes = {"-b", "-c", "-d"};
      return ref.location() + suffixes[zoneTurn++ % suffixes.length];
    }

    private boolean zoneOfGroup(String zone) {
      return ref.scope() == GceGroupRef.Scope.ZONAL ? zone.equals(ref.location())
          : zone.startsWith(ref.location() + "-") && zone.length() == ref.location().length() + 2;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Group> groups = new HashMap<>();
  private final Map<String, Op> operations = new HashMap<>();
  private final Map<String, Op> byRequestId = new HashMap<>();
  private final List<Fault> faults = new ArrayList<>();
  private final Map<String, List<String[]>> operationErrors = new HashMap<>();
  private final Map<String, String> vanishBeforeDelete = new HashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private Instant now = Instant.parse("2026-11-24T08:00:00Z");
  private Duration bootDelay = Duration.ofSeconds(90);
  private Duration deleteDelay = Duration.ofSeconds(30);
  private int operationPolls = 1;
  private boolean operationsNeverFinish;
  private int pageSize = 500;
  private long nextId = 1000;
  private int resizeDowns;
  private int dedupedMutations;

  private FakeComputeServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "fake-compute");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a fake on 127.0.0.1 and a free port. */
  public static FakeComputeServer start() {
    try {
      return new FakeComputeServer();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fake Compute server: " + e.getMessage(), e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, for the client's endpoint. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Adds an empty group. */
  public synchronized Group addGroup(GceGroupRef ref) {
    Group g = new Group(ref);
    if (groups.putIfAbsent(ref.path(), g) != null) {
      throw new IllegalArgumentException("group exists: " + ref);
    }
    return g;
  }

  /** The fake's time, which only {@link #advance} moves. */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        synchronized (FakeComputeServer.this) {
          return now;
        }
      }
    };
  }

  public synchronized void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time does not go back: " + d);
    }
    now = now.plus(d);
  }

  public synchronized FakeComputeServer bootDelay(Duration d) {
    bootDelay = d;
    return this;
  }

  /** Polls an operation needs before it is DONE (0: DONE in the first response). */
  public synchronized FakeComputeServer operationPolls(int polls) {
    operationPolls = polls;
    return this;
  }

  /** Operations stay RUNNING whatever the polls. */
  public synchronized FakeComputeServer operationsNeverFinish(boolean never) {
    operationsNeverFinish = never;
    return this;
  }

  /** Managed instances per page of listManagedInstances. */
  public synchronized FakeComputeServer pageSize(int size) {
    pageSize = size;
    return this;
  }

  /**
   * The next {@code times} requests of {@code call} ({@code get}, {@code resize},
   * {@code listManagedInstances}, {@code deleteInstances}, {@code createInstances},
   * {@code operations.get}, {@code instances.get}) fail with {@code httpStatus} without effect.
   */
  public synchronized void failNext(String call, int httpStatus, int times) {
    faults.add(new Fault(call, FaultKind.FAIL_BEFORE, httpStatus, Duration.ZERO, times));
  }

  /** The next request of {@code call} is applied, but its response is replaced by {@code httpStatus}. */
  public synchronized void loseNextResponse(String call, int httpStatus) {
    faults.add(new Fault(call, FaultKind.LOSE_AFTER, httpStatus, Duration.ZERO, 1));
  }

  /** The next response to {@code call} comes after {@code delay} (real time). */
  public synchronized void delayNext(String call, Duration delay) {
    faults.add(new Fault(call, FaultKind.DELAY, 0, delay, 1));
  }

  /**
   * The next mutation of {@code call} is not applied; its operation ends DONE with this error and
   * no {@code httpErrorStatusCode} (as GCE reports e.g. QUOTA_EXCEEDED).
   */
  public synchronized void failNextOperation(String call, String code, String message) {
    operationErrors.put(call, List.<String[]>of(new String[] {code, message}));
  }

  /**
   * The next mutation of {@code call} is not applied; its operation ends DONE with this error and
   * {@code httpErrorStatusCode}/{@code httpErrorMessage} set (which gax turns into an exception).
   */
  public synchronized void failNextOperation(String call, String code, String message, int httpStatus) {
    operationErrors.put(call, List.<String[]>of(new String[] {code, message, Integer.toString(httpStatus)}));
  }

  /** Just before the next deleteInstances, instance {@code name} of that group is deleted by someone else and gone. */
  public synchronized void vanishBeforeNextDelete(String name) {
    vanishBeforeDelete.put("deleteInstances", name);
  }

  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests of {@code call}. */
  public synchronized List<Request> requests(String call) {
    return requests.stream().filter(r -> r.call().equals(call)).toList();
  }

  /** Resizes that lowered a target size (GCE then picks the victims). */
  public synchronized int resizeDowns() {
    return resizeDowns;
  }

  /** Mutations answered from an earlier request with the same request id. */
  public synchronized int dedupedMutations() {
    return dedupedMutations;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------

  private record Response(int status, String body) {}

  private void handle(HttpExchange ex) throws IOException {
    Response response;
    Duration delay = Duration.ZERO;
    try {
      String body;
      try (InputStream in = ex.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      Matcher m = ROUTE.matcher(ex.getRequestURI().getPath());
      synchronized (this) {
        if (!m.matches()) {
          response = error(404, "no such path " + ex.getRequestURI().getPath(), "notFound");
        } else {
          String call = callOf(ex.getRequestMethod(), m);
          String groupPath = "projects/" + m.group(1) + "/" + m.group(2) + "/" + m.group(3)
              + "/instanceGroupManagers/" + m.group(5);
          requests.add(new Request(ex.getRequestMethod(), call, m.group(4).equals("instanceGroupManagers")
              ? groupPath : "", query, body, ex.getRequestHeaders().getFirst("Authorization")));
          Fault fault = takeFault(call);
          if (fault != null && fault.kind == FaultKind.DELAY) {
            delay = fault.delay;
            fault = null;
          }
          if (fault != null && fault.kind == FaultKind.FAIL_BEFORE) {
            response = error(fault.status, "injected " + fault.status + " for " + call, reason(fault.status));
          } else {
            response = route(call, m, groupPath, query, body);
            if (fault != null) {
              response = error(fault.status, "injected " + fault.status + " after applying " + call, reason(fault.status));
            }
          }
        }
      }
    } catch (RuntimeException e) {
      response = error(400, "bad request: " + e.getMessage(), "invalid");
    }
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    try {
      ex.sendResponseHeaders(response.status(), bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // The client gave up (a timeout test): nothing to answer.
    } finally {
      ex.close();
    }
  }

  private static String callOf(String method, Matcher m) {
    String kind = m.group(4);
    String verb = m.group(6);
    if (kind.equals("operations")) {
      return "operations.get";
    }
    if (kind.equals("instances")) {
      return "instances.get";
    }
    if (verb == null) {
      return method.equals("GET") ? "get" : method.toLowerCase() + ".group";
    }
    return verb;
  }

  private Fault takeFault(String call) {
    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
      Fault f = it.next();
      if (f.call.equals(call)) {
        if (--f.remaining <= 0) {
          it.remove();
        }
        return f;
      }
    }
    return null;
  }

  private Response route(String call, Matcher m, String groupPath, Map<String, String> query, String body) {
    String project = m.group(1);
    String location = m.group(2) + "/" + m.group(3);
    switch (call) {
      case "operations.get" -> {
        Op op = operations.get(location + "/" + m.group(5));
        if (op == null) {
          return error(404, "operation " + m.group(5) + " not found", "notFound");
        }
        if (!operationsNeverFinish && op.pollsLeft > 0) {
          op.pollsLeft--;
        }
        return ok(operationJson(project, op));
      }
      case "instances.get" -> {
        for (Group g : groups.values()) {
          Vm vm = g.vms.get(m.group(5));
          if (vm != null && vm.zone.equals(m.group(3)) && g.ref.project().equals(project)) {
            ObjectNode n = JSON.createObjectNode();
            n.put("kind", "compute#instance");
            n.put("id", Long.toString(vm.id));
            n.put("name", vm.name);
            n.put("zone", SELF + "projects/" + project + "/zones/" + vm.zone);
            n.put("creationTimestamp", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                vm.created.atOffset(ZoneOffset.ofHours(-8))));
            n.put("status", state(vm)[1].isEmpty() ? "PROVISIONING" : state(vm)[1]);
            return ok(n);
          }
        }
        return error(404, "The resource 'projects/" + project + "/zones/" + m.group(3) + "/instances/" + m.group(5)
            + "' was not found", "notFound");
      }
      default -> {
        Group g = groups.get(groupPath);
        if (g == null) {
          return error(404, "The resource '" + groupPath + "' was not found", "notFound");
        }
        expire(g);
        return switch (call) {
          case "get" -> ok(groupJson(g));
          case "listManagedInstances" -> list(g, query);
          case "resize", "deleteInstances", "createInstances" -> mutation(call, g, query, body);
          default -> error(404, "unsupported call " + call, "notFound");
        };
      }
    }
  }

  private Response mutation(String call, Group g, Map<String, String> query, String body) {
    String requestId = query.get("requestId");
    // REST docs: "The request ID must be a valid UUID with the exception that zero UUID is not supported".
    if (requestId != null && (!UUID_TEXT.matcher(requestId).matches()
        || requestId.equals("00000000-0000-0000-0000-000000000000"))) {
      return error(400, "Invalid value for field 'requestId': '" + requestId + "'", "invalid");
    }
    if (requestId != null && byRequestId.containsKey(requestId)) {
      dedupedMutations++;
      return ok(operationJson(g.ref.project(), byRequestId.get(requestId)));
    }
    List<String[]> opErrors = operationErrors.remove(call);
    if (opErrors == null) {
      Response refused = apply(call, g, query, body);
      if (refused != null) {
        return refused;
      }
    }
    Op op = new Op(nextId++, g.ref.locationPath(), call, g.ref.path(), operationPolls);
    if (opErrors != null) {
      op.errors = opErrors;
    }
    operations.put(op.location + "/" + op.name, op);
    if (requestId != null) {
      byRequestId.put(requestId, op);
    }
    return ok(operationJson(g.ref.project(), op));
  }

  /** Applies a mutation; a non-null response refuses it. */
  private Response apply(String call, Group g, Map<String, String> query, String body) {
    boolean autoscaled = g.autoscaler != null && g.autoscalerMode != AutoscalerMode.OFF;
    switch (call) {
      case "resize" -> {
        if (autoscaled) {
          return error(412, "Resizing of autoscaled " + (g.ref.scope() == GceGroupRef.Scope.ZONAL ? "zonal" : "regional")
              + " managed instance groups is not allowed. If you want to manually adjust target size remove the "
              + "autoscaler or set autoscaling policy mode to OFF.", "conditionNotMet");
        }
        int size = Integer.parseInt(query.getOrDefault("size", "-1"));
        if (size < 0) {
          return error(400, "Invalid value for field 'size': " + size, "invalid");
        }
        if (size < g.targetSize) {
          resizeDowns++;
          List<Vm> live = g.vms.values().stream().filter(v -> v.deleting == null).toList();
          int victims = Math.min(live.size(), g.targetSize - size);
          for (int i = 0; i < victims; i++) {
            live.get(live.size() - 1 - i).deleting = now;
          }
        }
        for (int i = g.targetSize; i < size; i++) {
          String name = g.ref.name() + "-" + Long.toString(nextId, 36);
          g.vms.put(name, new Vm(nextId++, name, g.nextZone(), now));
        }
        g.targetSize = size;
        return null;
      }
      case "createInstances" -> {
        if (autoscaled) {
          return error(412, "Creating instances in an autoscaled managed instance group is not allowed. Remove the "
              + "autoscaler or set autoscaling policy mode to OFF.", "conditionNotMet");
        }
        JsonNode req = parse(body);
        List<String> names = new ArrayList<>();
        for (JsonNode i : req.path("instances")) {
          names.add(i.path("name").asText());
        }
        for (String n : names) {
          if (!INSTANCE_REF.matcher(n).matches() || n.contains("/")) {
            return error(400, "Invalid value for field 'instances.name': '" + n + "'", "invalid");
          }
          if (g.vms.containsKey(n)) {
            return error(409, "The resource '" + n + "' already exists", "alreadyExists");
          }
        }
        for (String n : names) {
          g.vms.put(n, new Vm(nextId++, n, g.nextZone(), now));
          g.targetSize++;
        }
        return null;
      }
      case "deleteInstances" -> {
        String vanishing = vanishBeforeDelete.remove("deleteInstances");
        if (vanishing != null && g.vms.remove(vanishing) != null) {
          g.targetSize--;
        }
        JsonNode req = parse(body);
        boolean skip = req.path("skipInstancesOnValidationError").asBoolean(false);
        List<Vm> victims = new ArrayList<>();
        for (JsonNode i : req.path("instances")) {
          Matcher ref = INSTANCE_REF.matcher(i.asText());
          if (!ref.matches()) {
            return error(400, "Invalid value for field 'instances': '" + i.asText() + "'", "invalid");
          }
          if (ref.group(1) != null && !g.zoneOfGroup(ref.group(1))) {
            return error(400, "Instance '" + i.asText() + "' is in a zone outside the group", "invalid");
          }
          Vm vm = g.vms.get(ref.group(2));
          if (vm == null || vm.deleting != null || (ref.group(1) != null && !vm.zone.equals(ref.group(1)))) {
            if (skip) {
              continue;
            }
            return error(400, "The instance '" + i.asText() + "' is not a member of the group or is being deleted",
                "invalid");
          }
          victims.add(vm);
        }
        for (Vm vm : victims) {
          if (vm.deleting == null) {
            vm.deleting = now;
            g.targetSize--;
          }
        }
        return null;
      }
      default -> throw new IllegalStateException(call);
    }
  }

  private Response list(Group g, Map<String, String> query) {
    List<Vm> all = new ArrayList<>(g.vms.values());
    int from = Integer.parseInt(query.getOrDefault("pageToken", "0"));
    ObjectNode n = JSON.createObjectNode();
    ArrayNode items = n.putArray("managedInstances");
    for (int i = from; i < Math.min(all.size(), from + pageSize); i++) {
      Vm vm = all.get(i);
      String[] s = state(vm);
      ObjectNode mi = items.addObject();
      mi.put("instance", SELF + "projects/" + g.ref.project() + "/zones/" + vm.zone + "/instances/" + vm.name);
      mi.put("id", Long.toString(vm.id));
      mi.put("name", vm.name);
      mi.put("currentAction", s[0]);
      if (!s[1].isEmpty()) {
        mi.put("instanceStatus", s[1]);
      }
      if (s[1].equals("RUNNING")) {
        mi.putArray("instanceHealth").addObject().put("detailedHealthState", "HEALTHY")
            .put("healthCheck", SELF + "projects/" + g.ref.project() + "/global/healthChecks/jvb");
      }
      mi.putObject("version").put("instanceTemplate", SELF + "projects/" + g.ref.project()
          + "/global/instanceTemplates/jvb-template");
    }
    if (from + pageSize < all.size()) {
      n.put("nextPageToken", Integer.toString(from + pageSize));
    }
    return ok(n);
  }

  /** {currentAction, instanceStatus} of a VM now. */
  private String[] state(Vm vm) {
    if (vm.deleting != null) {
      return new String[] {"DELETING", "STOPPING"};
    }
    if (vm.preempted != null && now.isBefore(vm.preempted.plus(bootDelay))) {
      Duration down = Duration.between(vm.preempted, now);
      return down.compareTo(bootDelay.dividedBy(3)) < 0 ? new String[] {"NONE", "STOPPING"}
          : down.compareTo(bootDelay.multipliedBy(2).dividedBy(3)) < 0 ? new String[] {"RECREATING", "TERMINATED"}
          : new String[] {"RECREATING", "STAGING"};
    }
    Duration age = Duration.between(vm.created, now);
    if (age.compareTo(bootDelay.dividedBy(3)) < 0) {
      return new String[] {"CREATING", ""};
    }
    if (age.compareTo(bootDelay.multipliedBy(2).dividedBy(3)) < 0) {
      return new String[] {"CREATING", "PROVISIONING"};
    }
    if (age.compareTo(bootDelay) < 0) {
      return new String[] {"VERIFYING", "STAGING"};
    }
    return new String[] {"NONE", "RUNNING"};
  }

  private void expire(Group g) {
    // The target size was lowered when the delete was accepted; only the VM goes now.
    g.vms.values().removeIf(vm -> vm.deleting != null && !now.isBefore(vm.deleting.plus(deleteDelay)));
  }

  private ObjectNode groupJson(Group g) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "compute#instanceGroupManager");
    n.put("name", g.ref.name());
    n.put("selfLink", SELF + g.ref.path());
    n.put(g.ref.scope() == GceGroupRef.Scope.ZONAL ? "zone" : "region",
        SELF + "projects/" + g.ref.project() + "/" + g.ref.locationPath());
    n.put("baseInstanceName", g.ref.name());
    n.put("targetSize", g.targetSize);
    Map<String, Integer> actions = new LinkedHashMap<>();
    for (String a : List.of("none", "creating", "verifying", "deleting")) {
      actions.put(a, 0);
    }
    boolean stable = true;
    for (Vm vm : g.vms.values()) {
      String action = state(vm)[0].toLowerCase();
      actions.merge(action, 1, Integer::sum);
      stable &= action.equals("none");
    }
    ObjectNode ca = n.putObject("currentActions");
    actions.forEach(ca::put);
    ObjectNode status = n.putObject("status");
    status.put("isStable", stable);
    if (g.autoscaler != null) {
      status.put("autoscaler", g.autoscaler);
    }
    if (g.ref.scope() == GceGroupRef.Scope.REGIONAL) {
      n.putObject("updatePolicy").put("instanceRedistributionType", "PROACTIVE");
    }
    return n;
  }

  private ObjectNode operationJson(String project, Op op) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "compute#operation");
    n.put("id", Long.toString(op.id));
    n.put("name", op.name);
    n.put("operationType", op.type);
    n.put("targetLink", SELF + op.target);
    n.put(op.location.startsWith("zones/") ? "zone" : "region", SELF + "projects/" + project + "/" + op.location);
    n.put("selfLink", SELF + "projects/" + project + "/" + op.location + "/operations/" + op.name);
    boolean done = op.pollsLeft == 0 && !operationsNeverFinish;
    n.put("status", done ? "DONE" : "RUNNING");
    n.put("progress", done ? 100 : 0);
    if (done && !op.errors.isEmpty()) {
      ArrayNode errors = n.putObject("error").putArray("errors");
      for (String[] e : op.errors) {
        errors.addObject().put("code", e[0]).put("message", e[1]);
        if (e.length > 2) {
          n.put("httpErrorStatusCode", Integer.parseInt(e[2]));
          n.put("httpErrorMessage", e[1]);
        }
      }
    }
    return n;
  }

  private static JsonNode parse(String body) {
    try {
      return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("body is not JSON: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static String reason(int status) {
    return switch (status) {
      case 429 -> "rateLimitExceeded";
      case 412 -> "conditionNotMet";
      case 404 -> "notFound";
      case 403 -> "forbidden";
      default -> status >= 500 ? "backendError" : "invalid";
    };
  }

  private static Response ok(JsonNode n) {
    return new Response(200, n.toString());
  }

  private static Response error(int status, String message, String reason) {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode e = n.putObject("error");
    e.put("code", status);
    e.put("message", message);
    e.putArray("errors").addObject().put("message", message).put("domain", "global").put("reason", reason);
    return new Response(status, n.toString());
  }
}
