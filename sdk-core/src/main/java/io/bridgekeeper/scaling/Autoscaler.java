package io.bridgekeeper.scaling;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.PoolSnapshot;
import io.bridgekeeper.cloud.CloudBackend;
import io.bridgekeeper.cloud.CloudException;
import io.bridgekeeper.cloud.CloudInstance;
import io.bridgekeeper.cloud.InstanceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile loop: observe the pool and the cloud, decide with a {@link ScalingPolicy}, act.
 *
 * <ul>
 *   <li>Starting instances count as capacity; a failed launch is replaced only up to the desired
 *       count (never over-launching).
 *   <li>Scale-in picks victims among running, unprotected instances (launch protection: younger
 *       than {@code protectedTtl}): not-yet-started bridges first, then fewest participants, then
 *       least corrected stress. It <b>drains</b> them and deletes exactly those instances once they
 *       are empty — or once the drain deadline passed. A bridge whose participants are unknown
 *       counts as occupied.
 *   <li>Resumable: a restarted autoscaler takes every DRAINING bridge of the group as a drain in
 *       progress and finishes it (its deadline counted from when it first saw it); one adopted after
 *       the first step lowers the desired count, so no replacement is launched for it. For one
 *       presence timeout after it is built, an instance whose bridge the pool does not know is not
 *       taken for one that never started a bridge (the pool may not have heard it yet).
 *   <li>Only the holder of the {@link Lease} acts; dry-run decides and logs but changes nothing;
 *       every decision and action goes to the audit log.
 * </ul>
 *
 * <p>{@link #reconcileOnce()} is one step (run it from a scheduler); steps are serialised.
 */
public final class Autoscaler {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  /** One line of the audit log. */
  public record AuditEntry(Instant at, String kind, String message) {}

  private final BridgePool pool;
  private final CloudBackend cloud;
  private final ScalingPolicy policy;
  private final BridgeDrainer drainer;
  private final Lease lease;
  private final Duration leaseTtl;
  private final String owner;
  private final Clock clock;
  private final Duration protectedTtl;
  private final Duration drainDeadline;
  private final boolean dryRun;
  private final Function<String, String> bridgeOfInstance;
  private final int auditSize;
  private final ArrayDeque<AuditEntry> audit = new ArrayDeque<>();
  /** An instance on its way out: since when, and whether its bridge was drained (false: it had none yet). */
  private record Drain(Instant since, boolean bridgeDrained) {}

  private final Map<String, Drain> draining = new LinkedHashMap<>();
  /**
   * Until one presence timeout after this autoscaler was built, an instance whose bridge the pool
   * does not know may simply not have been heard from yet (a restarted process): it is not taken
   * for one that never started a bridge.
   */
  private final Instant bridgelessKnownFrom;
  /** Instances whose going away the desired count already reflects (drained or adopted by this process). */
  private final java.util.Set<String> leaving = new java.util.HashSet<>();
  private Integer desired;
  private Optional<Instant> lastChange = Optional.empty();

  private Autoscaler(Builder b) {
    pool = Objects.requireNonNull(b.pool, "pool");
    cloud = Objects.requireNonNull(b.cloud, "cloud");
    policy = Objects.requireNonNull(b.policy, "policy");
    drainer = Objects.requireNonNull(b.drainer, "drainer");
    clock = Objects.requireNonNull(b.clock, "clock");
    lease = b.lease == null ? Lease.inMemory(clock) : b.lease;
    leaseTtl = Objects.requireNonNull(b.leaseTtl, "leaseTtl");
    if (leaseTtl.isNegative() || leaseTtl.isZero()) {
      throw new IllegalArgumentException("leaseTtl must be positive");
    }
    owner = Objects.requireNonNull(b.owner, "owner");
    protectedTtl = Objects.requireNonNull(b.protectedTtl, "protectedTtl");
    drainDeadline = Objects.requireNonNull(b.drainDeadline, "drainDeadline");
    if (drainDeadline.isNegative() || drainDeadline.isZero()) {
      throw new IllegalArgumentException("drainDeadline must be positive");
    }
    dryRun = b.dryRun;
    bridgeOfInstance = Objects.requireNonNull(b.bridgeOfInstance, "bridgeOfInstance");
    auditSize = b.auditSize;
    bridgelessKnownFrom = clock.instant().plus(pool.config().presenceTimeout());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The audit log, oldest first (bounded). */
  public synchronized List<AuditEntry> audit() {
    return List.copyOf(audit);
  }

  /** The desired count, once the first step observed the group. */
  public synchronized java.util.OptionalInt desired() {
    return desired == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(desired);
  }

  /** Instance names being drained for deletion. */
  public synchronized List<String> draining() {
    return List.copyOf(draining.keySet());
  }

  /** One observe → decide → act step. Does nothing unless this replica holds the lease. */
  public synchronized void reconcileOnce() {
    Instant now = clock.instant();
    if (!lease.tryAcquire(owner, leaseTtl)) {
      return;
    }
    List<CloudInstance> instances;
    int targetSize;
    try {
      instances = cloud.listInstances();
      targetSize = cloud.targetSize();
    } catch (CloudException e) {
      log(now, "observe-failed", e.getMessage());
      return;
    }
    PoolSnapshot snapshot = pool.snapshot();
    if (!leaving.isEmpty()) {
      leaving.removeIf(n -> instances.stream().noneMatch(i -> i.name().equals(n)));
    }
    adoptDrainsInProgress(instances, snapshot, now);
    if (desired == null) {
      // Resuming: the group's target, less the drains in progress (they were meant to go).
      desired = targetSize - draining.size();
      log(now, "resume", "desired " + desired + " (target size " + targetSize + ", draining " + draining.keySet() + ")");
    }
    java.util.Set<String> deleted = finishDrains(instances, snapshot, now);

    // The instance list predates this step's deletions: leave those out, or a deleted instance
    // could be chosen again and the desired count lowered for it a second time.
    List<CloudInstance> capacity = instances.stream()
        .filter(i -> i.status().countsAsCapacity() && !draining.containsKey(i.name()) && !deleted.contains(i.name()))
        .toList();
    ScalingDecision decision = policy.decide(new ScalingInput(snapshot, now, desired, capacity.size(), lastChange));
    if (!(decision instanceof ScalingDecision.Hold)) {
      log(now, "decision", decision + (dryRun ? " (dry run)" : ""));
    }
    if (dryRun) {
      return;
    }
    if (decision instanceof ScalingDecision.ScaleOut out) {
      desired += out.by();
      lastChange = Optional.of(now);
    } else if (decision instanceof ScalingDecision.ScaleIn in) {
      int drained = startDrains(capacity, snapshot, in.by(), now);
      if (drained > 0) {
        desired -= drained;
        lastChange = Optional.of(now);
      }
    }
    converge(instances, capacity.size(), now);
  }

  /** Grows to the desired count (booting instances are capacity, so this never over-launches); failed instances are deleted. */
  private void converge(List<CloudInstance> instances, int capacity, Instant now) {
    List<String> failed = instances.stream().filter(i -> i.status() == InstanceStatus.FAILED)
        .map(CloudInstance::name).toList();
    try {
      if (!failed.isEmpty()) {
        cloud.deleteInstances(failed);
        log(now, "delete-failed", "deleted instances that failed to start: " + failed);
      }
      int shortfall = desired - capacity;
      if (shortfall > 0) {
        cloud.grow(shortfall);
        log(now, "launch", "launched " + shortfall + " (desired " + desired + ", capacity " + capacity + ")");
      }
    } catch (CloudException e) {
      log(now, "act-failed", e.getMessage());
    }
  }

  private void adoptDrainsInProgress(List<CloudInstance> instances, PoolSnapshot snapshot, Instant now) {
    for (CloudInstance i : instances) {
      if (draining.containsKey(i.name()) || i.status() != InstanceStatus.RUNNING) {
        continue;
      }
      Optional<Bridge> bridge = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      if (bridge.isPresent() && bridge.get().state() == BridgeState.DRAINING
          && bridge.get().stats().flatMap(s -> s.drain()).orElse(false)) {
        draining.put(i.name(), new Drain(now, true));
        if (leaving.add(i.name()) && desired != null) {
          // Adopted after resuming (the pool heard the bridge late): it was meant to go, so it no
          // longer counts towards the desired count — or converge() would launch a replacement.
          desired = Math.max(0, desired - 1);
        }
        log(now, "drain-adopted", i.name() + " is draining: finishing its drain (deadline from now)");
      }
    }
  }

  /** Deletes drained instances that are empty, or whose deadline passed; returns the names deleted. */
  private java.util.Set<String> finishDrains(List<CloudInstance> instances, PoolSnapshot snapshot, Instant now) {
    List<String> ready = new ArrayList<>();
    for (Map.Entry<String, Drain> d : new ArrayList<>(draining.entrySet())) {
      String name = d.getKey();
      if (instances.stream().noneMatch(i -> i.name().equals(name))) {
        ready.add(name); // gone already: forget it
        continue;
      }
      String bridgeId = bridgeOfInstance.apply(name);
      Optional<Bridge> bridge = snapshot.bridge(bridgeId);
      if (!d.getValue().bridgeDrained()) {
        if (bridge.isEmpty()) {
          ready.add(name); // never started a bridge: nothing to wait for
          continue;
        }
        // Its bridge came up after it was chosen: drain it now and wait like any other.
        if (drainer.drain(bridgeId)) {
          draining.put(name, new Drain(now, true));
          log(now, "drain", name + "'s bridge appeared: drained");
        }
        continue;
      }
      OptionalInt participants = bridge.map(Bridge::participants).orElse(OptionalInt.empty());
      boolean empty = participants.isPresent() && participants.getAsInt() == 0;
      boolean overdue = !now.isBefore(d.getValue().since().plus(drainDeadline));
      if (empty || overdue) {
        ready.add(name);
        if (!empty) {
          log(now, "drain-deadline", name + " still has " + (participants.isPresent() ? participants.getAsInt()
              : "unknown") + " participants after " + drainDeadline + ": deleting");
        }
      }
    }
    List<String> toDelete = ready.stream().filter(n -> instances.stream().anyMatch(i -> i.name().equals(n))).toList();
    java.util.Set<String> deleted = new java.util.HashSet<>();
    if (!toDelete.isEmpty()) {
      try {
        CloudBackend.DeleteResult r = cloud.deleteInstances(toDelete);
        deleted.addAll(r.deleted());
        log(now, "delete", "deleted drained " + r.deleted() + (r.skipped().isEmpty() ? "" : ", skipped " + r.skipped()));
      } catch (CloudException e) {
        log(now, "act-failed", "delete " + toDelete + ": " + e.getMessage());
        ready.removeAll(toDelete); // retried next step
      }
    }
    ready.forEach(draining::remove);
    return deleted;
  }

  /** Drains up to {@code n} victims; returns how many accepted. */
  private int startDrains(List<CloudInstance> capacity, PoolSnapshot snapshot, int n, Instant now) {
    // Sort keys computed once per instance: this runs every step of a long scale-in, over the whole fleet.
    record Victim(CloudInstance instance, int hasBridge, int participants, double stress) {}
    List<Victim> victims = new ArrayList<>();
    for (CloudInstance i : capacity) {
      if (i.status() != InstanceStatus.RUNNING || now.isBefore(i.createdAt().plus(protectedTtl))) {
        continue;
      }
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      if (b.isEmpty() && now.isBefore(bridgelessKnownFrom)) {
        continue; // its bridge may be live but not heard from yet by a freshly started process
      }
      victims.add(new Victim(i, b.isPresent() ? 1 : 0,
          b.map(x -> x.participants().orElse(Integer.MAX_VALUE)).orElse(Integer.MAX_VALUE),
          b.map(x -> x.correctedStress().orElse(Double.MAX_VALUE)).orElse(0.0)));
    }
    victims.sort(Comparator.comparingInt(Victim::hasBridge).thenComparingInt(Victim::participants)
        .thenComparingDouble(Victim::stress).thenComparing(v -> v.instance().name()));
    List<CloudInstance> candidates = victims.stream().map(Victim::instance).toList();
    int started = 0;
    for (CloudInstance victim : candidates) {
      if (started == n) {
        break;
      }
      String bridge = bridgeOfInstance.apply(victim.name());
      boolean known = snapshot.bridge(bridge).isPresent();
      if (known && !drainer.drain(bridge)) {
        log(now, "drain-refused", bridge + " did not accept the drain; trying another");
        continue;
      }
      draining.put(victim.name(), new Drain(now, known));
      leaving.add(victim.name());
      started++;
      log(now, "drain", victim.name() + (known ? " drained" : " has no bridge yet") + "; deleted once empty or after "
          + drainDeadline);
    }
    return started;
  }

  private void log(Instant at, String kind, String message) {
    LOG.info("autoscaler {}: {}", kind, message);
    audit.addLast(new AuditEntry(at, kind, message));
    while (audit.size() > auditSize) {
      audit.removeFirst();
    }
  }

  /** Wiring and options; {@link #build()} checks them. */
  public static final class Builder {
    private BridgePool pool;
    private CloudBackend cloud;
    private ScalingPolicy policy;
    private BridgeDrainer drainer;
    private Lease lease;
    private Duration leaseTtl = Duration.ofMinutes(1);
    private String owner = "autoscaler-" + java.util.UUID.randomUUID();
    private Clock clock = Clock.systemUTC();
    private Duration protectedTtl = Duration.ofSeconds(900);
    private Duration drainDeadline = Duration.ofHours(1);
    private boolean dryRun;
    private Function<String, String> bridgeOfInstance = Function.identity();
    private int auditSize = 10_000;

    private Builder() {}

    public Builder pool(BridgePool pool) {
      this.pool = pool;
      return this;
    }

    public Builder cloud(CloudBackend cloud) {
      this.cloud = cloud;
      return this;
    }

    public Builder policy(ScalingPolicy policy) {
      this.policy = policy;
      return this;
    }

    public Builder drainer(BridgeDrainer drainer) {
      this.drainer = drainer;
      return this;
    }

    /**
     * Shared with the other replicas; default: one in memory (a single replica). The holder renews
     * it at every step; a replica that stops stepping loses it after {@link #leaseTtl}.
     */
    public Builder lease(Lease lease, String owner) {
      this.lease = lease;
      this.owner = owner;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How long a lease lasts without renewal (default 1 min): longer than the step interval. */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = ttl;
      return this;
    }

    /** New instances are never scaled in for this long (jitsi-autoscaler protectedTTLSec; Jitsi: 900 s). */
    public Builder launchProtection(Duration ttl) {
      this.protectedTtl = ttl;
      return this;
    }

    /** A drained bridge is deleted when empty, or after this long whatever it still carries (Jitsi: 1 h). */
    public Builder drainDeadline(Duration deadline) {
      this.drainDeadline = deadline;
      return this;
    }

    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Bridge id (MUC nickname) of an instance name; default: the same (GCE host names). */
    public Builder bridgeOfInstance(Function<String, String> mapping) {
      this.bridgeOfInstance = mapping;
      return this;
    }

    public Autoscaler build() {
      return new Autoscaler(this);
    }
  }
}
