package io.bridgekeeper.scaling;

import io.bridgekeeper.bridges.Bridge;
import io.bridgekeeper.bridges.BridgePool;
import io.bridgekeeper.bridges.BridgeState;
import io.bridgekeeper.bridges.BridgeStats;
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
 *       count (never over-launching). A group grown outside the autoscaler (more instances than
 *       desired) raises the desired count to its size.
 *   <li>Scale-in first cancels launches that never happened (the group below the desired count),
 *       then picks victims among unprotected instances (launch protection: younger than
 *       {@code protectedTtl}): launches still not running and instances whose bridge this process
 *       never heard first, then fewest participants, then least corrected stress. It <b>drains</b>
 *       them and deletes exactly those instances once stats that arrived after the drain say they
 *       are drained and empty — or once the drain deadline passed (while the whole brewery is
 *       silent, a bridge whose last report said {@code drain=false} waits for one that confirms the
 *       drain). A running instance whose bridge this process never heard of is drained if it
 *       answers and, either way, deleted only at the deadline. A bridge whose participants are unknown
 *       (the pool forgot it) counts as occupied; a bridge that reports {@code drain=false}
 *       after its drain (restarted, undrained by someone else) serves again and is not deleted. No
 *       scale-in while the pool knows none of the running bridges (their load is unknown).
 *       Optionally it waits for a light bridge ({@link Builder#drainOnlyLightBridges}),
 *       and it swaps a young drain for a much lighter bridge ({@link Builder#swapDrainsForLighterBridges}).
 *   <li>Scale-out first cancels drains in progress ({@link BridgeDrainer#undrain}; most participants
 *       first), and launches only the rest: see {@link Builder#undrainOnScaleOut}.
 *   <li>Resumable: a restarted autoscaler takes every DRAINING bridge of the group as a drain in
 *       progress and finishes it (its deadline counted from when it first saw it); one adopted after
 *       the first step lowers the desired count, so no replacement is launched for it. For one
 *       presence timeout after it is built, an instance whose bridge the pool does not know is not
 *       taken for one that never started a bridge (the pool may not have heard it yet).
 *   <li>Only the holder of the {@link Lease} acts, and it renews the lease right before each action;
 *       a replica that lost it forgets its state and resumes as a restarted one. Dry-run decides and
 *       logs (what it would delete too) but changes nothing — no launch, delete, drain or undrain;
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
  /** Whether other replicas may hold the lease (one was given); false: this process's own. */
  private final boolean leaseShared;
  private final Duration leaseTtl;
  private final String owner;
  private final Clock clock;
  private final Duration protectedTtl;
  private final Duration drainDeadline;
  private final boolean dryRun;
  private final boolean undrainOnScaleOut;
  /** 0: off; else scale-in drains only bridges with at most this fraction of the mean participants. */
  private final double lightFraction;
  private final Duration lightMaxWait;
  /** 0: off; else a young drain is swapped for a bridge with at most this fraction of its participants. */
  private final double swapFraction;
  private final Duration swapMaxDrainAge;
  private final double swapMaxServingStress;
  /** Since when scale-in has been asked for but no bridge was light enough to drain; null: not waiting. */
  private Instant scaleInWaitingSince;
  private final Function<String, String> bridgeOfInstance;
  private final int auditSize;
  private final ArrayDeque<AuditEntry> audit = new ArrayDeque<>();
  /**
   * An instance on its way out: since when (its deadline counts from then), whether its bridge was
   * drained (false: it had none yet), when the drain was sent (stats that arrived earlier predate
   * it), and when the bridge's stats first said {@code drain=true} after that (null: not yet).
   */
  private record Drain(Instant since, boolean bridgeDrained, Instant sent, Instant confirmed) {
    Drain(Instant since, boolean bridgeDrained) {
      this(since, bridgeDrained, since, null);
    }
  }

  private final Map<String, Drain> draining = new LinkedHashMap<>();
  /**
   * Until one presence timeout after this autoscaler was built, an instance whose bridge the pool
   * does not know may simply not have been heard from yet (a restarted process): it is not taken
   * for one that never started a bridge.
   */
  private final Instant bridgelessKnownFrom;
  /** Instances whose going away the desired count already reflects (drained or adopted by this process). */
  private final java.util.Set<String> leaving = new java.util.HashSet<>();
  /**
   * Instances whose drain this process cancelled, and when: until their bridge reports after that
   * instant, the pool still holds its {@code drain=true} from before, which must not be taken for a
   * drain in progress (adopting it would delete, at the deadline, a bridge that takes conferences).
   */
  private final Map<String, Instant> undrained = new java.util.HashMap<>();
  /**
   * When each bridge last dropped a drain. A bridge that accepts drains but keeps reporting
   * drain=false would otherwise be drained, dropped and drained again, step after step, while the
   * fleet never shrinks: it is taken last for one drain deadline.
   */
  private final Map<String, Instant> droppedDrain = new java.util.HashMap<>();
  /**
   * Instances that refused their part of a drain swap (an undrain or a drain): not tried again, or
   * a bridge whose REST interface is down would make its partner flap between drained and not at
   * every step.
   */
  private final java.util.Set<String> swapRefused = new java.util.HashSet<>();
  /**
   * Instances whose bridge this process has seen in the pool, and whether the latest stats it saw
   * said {@code drain=false}. Once heard, an instance is never taken for one that never started a
   * bridge, even after the pool forgot it (a silent brewery makes every bridge LOST, then forgotten,
   * while the bridges still carry their conferences); and its last word on the drain flag outlives
   * the pool's memory.
   */
  private final Map<String, Boolean> heard = new java.util.HashMap<>();
  /** Drains past their deadline that wait for a report confirming them (logged once). */
  private final java.util.Set<String> unconfirmedAtDeadline = new java.util.HashSet<>();
  private Integer desired;
  private Optional<Instant> lastChange = Optional.empty();
  /** When this replica last took or renewed the lease; null: it does not hold it. */
  private Instant leaseRenewed;

  private Autoscaler(Builder b) {
    pool = Objects.requireNonNull(b.pool, "pool");
    cloud = Objects.requireNonNull(b.cloud, "cloud");
    policy = Objects.requireNonNull(b.policy, "policy");
    drainer = Objects.requireNonNull(b.drainer, "drainer");
    clock = Objects.requireNonNull(b.clock, "clock");
    lease = b.lease == null ? Lease.inMemory(clock) : b.lease;
    leaseShared = b.lease != null;
    leaseTtl = checked("leaseTtl", b.leaseTtl, false, MAX_LEASE_TTL);
    owner = Objects.requireNonNull(b.owner, "owner");
    protectedTtl = checked("launchProtection", b.protectedTtl, true, MAX_DURATION);
    drainDeadline = checked("drainDeadline", b.drainDeadline, false, MAX_DURATION);
    dryRun = b.dryRun;
    undrainOnScaleOut = b.undrainOnScaleOut;
    // Checked where they are set (drainOnlyLightBridges, swapDrainsForLighterBridges).
    lightFraction = b.lightFraction;
    lightMaxWait = b.lightMaxWait;
    swapFraction = b.swapFraction;
    swapMaxDrainAge = b.swapMaxDrainAge;
    swapMaxServingStress = b.swapMaxServingStress;
    bridgeOfInstance = Objects.requireNonNull(b.bridgeOfInstance, "bridgeOfInstance");
    auditSize = b.auditSize;
    bridgelessKnownFrom = clock.instant().plus(pool.config().presenceTimeout());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Bound on the durations the autoscaler adds to instants at every step: far beyond any sensible
   * value (Jitsi waits at most 6 h for a graceful shutdown), yet an instant plus it never overflows,
   * so "forever" fails here instead of in every step after the first drain.
   */
  static final Duration MAX_DURATION = Duration.ofDays(30);
  /** A crashed leader blocks the other replicas this long at most. */
  static final Duration MAX_LEASE_TTL = Duration.ofDays(1);

  static Duration checked(String name, Duration d, boolean zeroAllowed, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || (!zeroAllowed && d.isZero()) || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be in " + (zeroAllowed ? "[0, " : "(0, ") + max + "], was " + d);
    }
    return d;
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

  /**
   * One observe → decide → act step. Does nothing unless this replica holds the lease; a replica
   * that lost it (or whose lease lapsed between two steps) forgets what it believed and, once it
   * leads again, re-derives it from the group as a restarted process does: meanwhile another
   * replica may have undrained, drained, launched or deleted.
   */
  public synchronized void reconcileOnce() {
    Instant now = clock.instant();
    if (dryRun) {
      // It changes nothing, so it needs no lease; holding one would keep a live replica that
      // shares it (an operator previewing decisions beside production) from acting.
      step(now);
      return;
    }
    if (!lease.tryAcquire(owner, leaseTtl)) {
      if (leaseRenewed != null) {
        forget(now, "lease held by another replica");
      }
      return;
    }
    if (leaseShared && leaseRenewed != null && now.isAfter(leaseRenewed.plus(leaseTtl))) {
      forget(now, "lease lapsed since " + leaseRenewed + " (step more often than the lease TTL " + leaseTtl + ")");
    }
    leaseRenewed = now;
    try {
      step(now);
    } catch (LeaseLost e) {
      forget(clock.instant(), e.getMessage());
    }
  }

  /** Aborts a step whose lease was lost: nothing more may be changed on the strength of it. */
  private static final class LeaseLost extends RuntimeException {
    LeaseLost(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Renews the lease right before an action (fencing): a step can outlast the lease (cloud calls
   * with retries take minutes), and another replica may lead by then. Held continuously only if
   * every renewal came before the previous one expired; otherwise the step's observations may
   * predate another leader's actions.
   */
  private void fence(String action) {
    Instant t = clock.instant();
    if (!lease.tryAcquire(owner, leaseTtl) || (leaseShared && t.isAfter(leaseRenewed.plus(leaseTtl)))) {
      throw new LeaseLost("lease lost before " + action + " (renewed last at " + leaseRenewed + ")");
    }
    leaseRenewed = t;
  }

  private void forget(Instant now, String why) {
    leaseRenewed = null;
    if (desired != null) {
      log(now, "lease-lost", why + ": forgetting desired " + desired + " and drains " + draining.keySet()
          + "; re-derived from the group when leading again");
    }
    desired = null;
    draining.clear();
    leaving.clear();
    undrained.clear();
    droppedDrain.clear();
    swapRefused.clear();
    unconfirmedAtDeadline.clear();
    scaleInWaitingSince = null;
  }

  private void step(Instant now) {
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
    // Looked up by name for every drain and remembered instance, at every step: once, not a scan each.
    Map<String, CloudInstance> byName = new java.util.HashMap<>(instances.size() * 2);
    for (CloudInstance i : instances) {
      byName.put(i.name(), i);
    }
    if (!leaving.isEmpty()) {
      leaving.removeIf(n -> !byName.containsKey(n));
    }
    heard.keySet().removeIf(n -> !byName.containsKey(n));
    for (CloudInstance i : instances) {
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      if (b.isPresent()) {
        heard.put(i.name(), b.get().stats().flatMap(BridgeStats::drain).map(d -> !d).orElse(false));
      }
    }
    adoptDrainsInProgress(instances, byName, snapshot, now);
    if (desired == null) {
      // Resuming: the group's target, less the drains in progress (they were meant to go).
      desired = targetSize - draining.size();
      log(now, "resume", "desired " + desired + " (target size " + targetSize + ", draining " + draining.keySet() + ")");
    }
    java.util.Set<String> deleted = finishDrains(byName, snapshot, now);

    // The instance list predates this step's deletions: leave those out, or a deleted instance
    // could be chosen again and the desired count lowered for it a second time.
    List<CloudInstance> capacity = instances.stream()
        .filter(i -> i.status().countsAsCapacity() && !draining.containsKey(i.name()) && !deleted.contains(i.name()))
        .toList();
    // More capacity than desired is never this process's doing (converge only grows, and the desired
    // count drops with each drain): an operator resized the group, or GCE's autoscaler in
    // ONLY_SCALE_OUT did. Take it as the desired count, or a policy that waits for the group to
    // converge (jitsi-autoscaler's autoscaler.ts: desiredCount != count → no decision) waits forever.
    long staying = capacity.stream().filter(i -> !leaving.contains(i.name())).count();
    if (staying > desired) {
      log(now, "resync", "desired " + desired + " → " + staying + ": the group has " + staying
          + " instances (resized outside this autoscaler)");
      desired = (int) staying;
    }
    ScalingDecision decision = policy.decide(new ScalingInput(snapshot, now, desired, capacity.size(), lastChange));
    if (!(decision instanceof ScalingDecision.Hold)) {
      log(now, "decision", decision + (dryRun ? " (dry run)" : ""));
    }
    if (dryRun) {
      return;
    }
    int undrainedNow = 0;
    if (decision instanceof ScalingDecision.ScaleOut out) {
      if (undrainOnScaleOut) {
        undrainedNow = cancelDrains(byName, snapshot, out.by(), now);
      }
      desired += out.by();
      lastChange = Optional.of(now);
    } else if (decision instanceof ScalingDecision.ScaleIn in) {
      Optional<String> unknown = loadUnknown(capacity, snapshot, now);
      if (unknown.isPresent()) {
        log(now, "scale-in-refused", unknown.get());
      } else {
        // Launches that never happened (quota, errors) go first: no bridge is drained while the group
        // is below the new desired count.
        int unfilled = Math.min(in.by(), Math.max(0, desired - capacity.size()));
        int toDrain = in.by() - unfilled;
        int drained = toDrain > 0 ? startDrains(capacity, snapshot, toDrain, now) : 0;
        if (unfilled > 0) {
          log(now, "launch-cancelled", unfilled + " not launched yet (desired " + desired + ", capacity "
              + capacity.size() + ")");
        }
        if (unfilled + drained > 0) {
          desired -= unfilled + drained;
          lastChange = Optional.of(now);
        }
        if (toDrain == 0 || drained > 0) {
          scaleInWaitingSince = null;
        } else if (scaleInWaitingSince == null) {
          scaleInWaitingSince = now;
        }
      }
    } else {
      scaleInWaitingSince = null; // the policy no longer asks: a later scale-in waits afresh
    }
    if (swapFraction > 0 && !(decision instanceof ScalingDecision.ScaleOut)) {
      undrainedNow += swapDrain(capacity, snapshot, now);
    }
    // A bridge whose drain was cancelled is capacity again: launch only the rest.
    converge(instances, capacity.size() + undrainedNow, now);
  }

  /**
   * Swaps the young drain with the most participants for a bridge that carries at most
   * {@code swapFraction} × as many (the lightest), if there is one: the same capacity goes, but
   * fewer participants are left at the deadline, for a deletion later by the drain's age. One swap
   * per step; only with a drainer that can undrain, and only while the serving bridges have room
   * to spare. Returns 1 if a failed swap left the drained bridge serving (capacity again), else 0.
   */
  private int swapDrain(List<CloudInstance> capacity, PoolSnapshot snapshot, Instant now) {
    String heavy = null;
    int heavyParticipants = 0;
    for (Map.Entry<String, Drain> d : draining.entrySet()) {
      if (!d.getValue().bridgeDrained() || now.isAfter(d.getValue().since().plus(swapMaxDrainAge))
          || swapRefused.contains(d.getKey())) {
        continue;
      }
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(d.getKey()));
      if (b.isEmpty() || b.get().participants().isEmpty() || !b.get().operational() || b.get().gracefulShutdown()
          || b.get().shuttingDown()) {
        continue;
      }
      int p = b.get().participants().getAsInt();
      if (p > heavyParticipants) {
        heavyParticipants = p;
        heavy = d.getKey();
      }
    }
    if (heavy == null) {
      return 0;
    }
    String light = null;
    int lightParticipants = Integer.MAX_VALUE;
    for (CloudInstance i : capacity) {
      // The same bridges scale-in may drain (capacity predates this step's drains: skip those).
      if (i.status() != InstanceStatus.RUNNING || now.isBefore(i.createdAt().plus(protectedTtl))
          || draining.containsKey(i.name()) || swapRefused.contains(i.name())) {
        continue;
      }
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      if (b.isEmpty() || b.get().participants().isEmpty()) {
        continue;
      }
      int p = b.get().participants().getAsInt();
      if (p < lightParticipants) {
        lightParticipants = p;
        light = i.name();
      }
    }
    if (light == null || lightParticipants > swapFraction * heavyParticipants) {
      return 0;
    }
    // The swap keeps the heavier bridge serving: the bridges that take new conferences lose the
    // lighter one's room. Only where they have room to spare, by default at most half the overload
    // threshold on average (the default target tracking runs at 0.3 of 0.8); hotter fleets need it.
    double stress = 0;
    int serving = 0;
    for (Bridge b : snapshot.bridges()) {
      if (b.operational() && !b.draining() && !b.shuttingDown() && !b.gracefulShutdown()
          && b.correctedStress().isPresent()) {
        stress += b.correctedStress().getAsDouble();
        serving++;
      }
    }
    if (serving == 0 || stress / serving > swapMaxServingStress * pool.config().stressThreshold()) {
      return 0;
    }
    // Undrain first: a drainer that cannot leaves everything as it was.
    fence("swap " + heavy + " for " + light);
    if (!drainer.undrain(bridgeOfInstance.apply(heavy))) {
      swapRefused.add(heavy);
      return 0;
    }
    Drain was = draining.remove(heavy);
    if (!drainer.drain(bridgeOfInstance.apply(light))) {
      swapRefused.add(light);
      // Back to how it was, deadline unchanged; if even that fails, it serves again and counts
      // towards the desired count again: the policy scales in again if it still wants to.
      boolean redrained = drainer.drain(bridgeOfInstance.apply(heavy));
      if (redrained) {
        // Its deadline unchanged; but its reports from before this drain say drain=false.
        draining.put(heavy, new Drain(was.since(), true, now, null));
      } else {
        leaving.remove(heavy);
        undrained.put(heavy, now);
        desired++;
      }
      log(now, "drain-refused", light + " did not accept the drain; " + heavy + (redrained ? " drained again"
          : " serves again"));
      return redrained ? 0 : 1;
    }
    leaving.remove(heavy);
    undrained.put(heavy, now);
    draining.put(light, new Drain(now, true));
    leaving.add(light);
    log(now, "drain-swap", light + " (" + lightParticipants + " participants) drained instead of " + heavy + " ("
        + heavyParticipants + ", draining since " + was.since() + "), which takes conferences again; deleted once "
        + "empty or after " + drainDeadline);
    return 0; // one bridge back, one gone: the same capacity
  }

  /** Grows to the desired count (booting instances are capacity, so this never over-launches); failed instances are deleted. */
  private void converge(List<CloudInstance> instances, int capacity, Instant now) {
    List<String> failed = instances.stream().filter(i -> i.status() == InstanceStatus.FAILED)
        .map(CloudInstance::name).toList();
    try {
      if (!failed.isEmpty()) {
        fence("delete " + failed);
        cloud.deleteInstances(failed);
        log(now, "delete-failed", "deleted instances that failed to start: " + failed);
      }
      int shortfall = desired - capacity;
      if (shortfall > 0) {
        fence("launch " + shortfall);
        cloud.grow(shortfall);
        log(now, "launch", "launched " + shortfall + " (desired " + desired + ", capacity " + capacity + ")");
      }
    } catch (CloudException e) {
      log(now, "act-failed", e.getMessage());
    }
  }

  private void adoptDrainsInProgress(List<CloudInstance> instances, Map<String, CloudInstance> byName,
      PoolSnapshot snapshot, Instant now) {
    if (!undrained.isEmpty()) {
      undrained.keySet().removeIf(n -> !byName.containsKey(n));
    }
    if (!swapRefused.isEmpty()) {
      swapRefused.removeIf(n -> !byName.containsKey(n));
    }
    for (CloudInstance i : instances) {
      if (draining.containsKey(i.name()) || i.status() != InstanceStatus.RUNNING) {
        continue;
      }
      Optional<Bridge> bridge = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      Instant cancelled = undrained.get(i.name());
      if (cancelled != null) {
        // Stats, not any presence: one whose stats could not be believed keeps the flag from before.
        if (bridge.isEmpty() || !bridge.get().statsAt().map(t -> t.isAfter(cancelled)).orElse(false)) {
          continue; // its drain flag predates the undrain
        }
        // It reported since: what it says now is its own state (drained again by someone else, or
        // the undrain did not take), and is adopted like any other.
        undrained.remove(i.name());
      }
      if (bridge.isPresent() && bridge.get().state() == BridgeState.DRAINING
          && bridge.get().stats().flatMap(s -> s.drain()).orElse(false)) {
        draining.put(i.name(), new Drain(now, true, now, bridge.get().statsAt().orElseThrow()));
        if (leaving.add(i.name()) && desired != null) {
          // Adopted after resuming (the pool heard the bridge late): it was meant to go, so it no
          // longer counts towards the desired count — or converge() would launch a replacement.
          desired = Math.max(0, desired - 1);
        }
        log(now, "drain-adopted", i.name() + " is draining: finishing its drain (deadline from now)");
      }
    }
  }

  /**
   * Deletes drained instances that are empty, or whose deadline passed; returns the names deleted.
   * Empty means stats that arrived after the drain was sent say {@code drain=true} and no
   * participants: an older report may predate a conference jicofo placed just before the drain took.
   * A bridge that reports {@code drain=false} after its drain took (a restarted videobridge forgets
   * it, an operator undrained it) takes conferences again: it is no longer drained, and counts
   * towards the desired count again, so the policy decides afresh.
   */
  private java.util.Set<String> finishDrains(Map<String, CloudInstance> byName, PoolSnapshot snapshot, Instant now) {
    List<String> ready = new ArrayList<>();
    Instant newestStats = Instant.MIN;
    for (Bridge b : snapshot.bridges()) {
      if (b.statsAt().isPresent() && b.statsAt().get().isAfter(newestStats)) {
        newestStats = b.statsAt().get();
      }
    }
    for (Map.Entry<String, Drain> d : new ArrayList<>(draining.entrySet())) {
      String name = d.getKey();
      if (!byName.containsKey(name)) {
        ready.add(name); // gone already: forget it
        continue;
      }
      String bridgeId = bridgeOfInstance.apply(name);
      Optional<Bridge> bridge = snapshot.bridge(bridgeId);
      if (!d.getValue().bridgeDrained()) {
        if (bridge.isEmpty() && !heard.containsKey(name)) {
          if (byName.get(name).status() != InstanceStatus.RUNNING) {
            ready.add(name); // never came up: nothing to wait for
          } else if (!now.isBefore(d.getValue().since().plus(drainDeadline))) {
            // Running without a bridge anyone heard of: only its deadline tells a VM whose
            // videobridge never started from one serving conferences outside the brewery.
            ready.add(name);
            log(now, "drain-deadline", name + " never reported a bridge and did not accept a drain; after "
                + drainDeadline + (dryRun ? "" : ": deleting"));
          }
          continue;
        }
        // Its bridge came up after it was chosen (or the pool forgot it since): drain it now and
        // wait like any other.
        if (dryRun) {
          continue;
        }
        fence("drain " + bridgeId);
        if (drainer.drain(bridgeId)) {
          draining.put(name, new Drain(now, true));
          log(now, "drain", name + "'s bridge appeared: drained");
        }
        continue;
      }
      Drain drain = d.getValue();
      // jicofo takes a bridge that does not report the flag for draining (Bridge.kt: isDraining
      // defaults to true); empty: the pool no longer knows it, or has no stats of it.
      Optional<Boolean> flag = bridge.flatMap(Bridge::stats).map(s -> s.drain().orElse(true));
      Instant statsAt = bridge.flatMap(Bridge::statsAt).orElse(Instant.MIN);
      boolean sinceDrain = statsAt.isAfter(drain.sent());
      if (flag.orElse(false) && sinceDrain && drain.confirmed() == null) {
        drain = new Drain(drain.since(), true, drain.sent(), statsAt);
        draining.put(name, drain);
      }
      if (flag.isPresent() && !flag.get() && sinceDrain) {
        // Dropped after it took (its latest stats said drain=true before these), or never took: a
        // report may be built before the drain arrived, so only one a presence timeout later says so.
        if (drain.confirmed() != null || statsAt.isAfter(drain.sent().plus(pool.config().presenceTimeout()))) {
          draining.remove(name);
          leaving.remove(name);
          droppedDrain.put(name, now);
          desired++;
          log(now, "drain-dropped", name + " reports drain=false (restarted, or undrained by someone else) and "
              + "takes conferences again: no longer deleted; desired " + desired);
        }
        continue; // never deleted while it says drain=false
      }
      OptionalInt participants = bridge.map(Bridge::participants).orElse(OptionalInt.empty());
      boolean empty = drain.confirmed() != null && flag.orElse(false) && participants.isPresent()
          && participants.getAsInt() == 0;
      boolean overdue = !now.isBefore(drain.since().plus(drainDeadline));
      if (overdue && !empty && heard.getOrDefault(name, false) && !newestStats.isAfter(drain.sent())) {
        // The last stats it sent say drain=false, and no bridge of the pool has reported since the
        // drain was sent: the brewery is silent, and a report may yet show that this bridge
        // restarted and takes conferences, so the deadline waits for one. When the others report
        // and this one does not, it is dead or outside the brewery (jicofo gives it no conference):
        // the deadline holds.
        if (unconfirmedAtDeadline.add(name)) {
          log(now, "drain-unconfirmed", name + " is past its deadline but no report confirmed its drain, and the "
              + "brewery has been silent since: kept until a report comes");
        }
        continue;
      }
      if (empty || overdue) {
        ready.add(name);
        if (!empty) {
          log(now, "drain-deadline", name + " still has " + (participants.isPresent() ? participants.getAsInt()
              : "unknown") + " participants after " + drainDeadline + (dryRun ? "" : ": deleting"));
        }
      }
    }
    List<String> toDelete = ready.stream().filter(byName::containsKey).toList();
    java.util.Set<String> deleted = new java.util.HashSet<>();
    if (!toDelete.isEmpty() && dryRun) {
      // Dry run: the drains stay, so this repeats at every step, as the decisions do.
      log(now, "delete", "would delete drained " + toDelete + " (dry run)");
      ready.removeAll(toDelete);
    } else if (!toDelete.isEmpty()) {
      fence("delete " + toDelete);
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
    unconfirmedAtDeadline.retainAll(draining.keySet());
    return deleted;
  }

  /**
   * On scale-out, first takes back up to {@code n} bridges this process is draining (those deleted
   * this step are no longer among them): a draining bridge is a running VM that can carry
   * conferences at once, whereas a new one boots for minutes — and every participant still on a
   * drained bridge at its deadline is cut off. Those with the most participants go first (they would cut off the most), then the latest
   * drained (the furthest from their deadline). A bridge in graceful shutdown or shutting down is
   * left alone: it is on its way out whatever the drain flag says. Returns how many took new
   * conferences again; the scale-out launches the rest.
   */
  private int cancelDrains(Map<String, CloudInstance> byName, PoolSnapshot snapshot, int n, Instant now) {
    // Drain is only a flag a bridge can drop again (jitsi-videobridge rest/root/colibri/drain/Drain.java:
    // POST /colibri/drain/disable → setDrainMode(false)), and jicofo's drain is soft: it stops choosing
    // the bridge for new conferences and chooses it again once its presence says drain=false (jicofo
    // Bridge.kt setStats). Graceful shutdown, by contrast, cannot be taken back.
    record Cancel(String name, Drain drain, int participants) {}
    List<Cancel> candidates = new ArrayList<>();
    for (Map.Entry<String, Drain> d : draining.entrySet()) {
      String name = d.getKey();
      CloudInstance instance = byName.get(name);
      boolean running = instance != null && instance.status() == InstanceStatus.RUNNING;
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(name));
      if (!running || b.isEmpty() || !b.get().operational() || b.get().gracefulShutdown()
          || b.get().shuttingDown()) {
        continue;
      }
      candidates.add(new Cancel(name, d.getValue(), b.get().participants().orElse(-1)));
    }
    candidates.sort(Comparator.comparingInt(Cancel::participants).reversed()
        .thenComparing(c -> c.drain().since(), Comparator.reverseOrder()).thenComparing(Cancel::name));
    int cancelled = 0;
    List<String> refused = new ArrayList<>();
    for (Cancel c : candidates) {
      if (cancelled == n) {
        break;
      }
      String bridge = bridgeOfInstance.apply(c.name());
      // Not drained yet (its drain was refused when its bridge came up): nothing to undo.
      if (c.drain().bridgeDrained()) {
        fence("undrain " + bridge);
        if (!drainer.undrain(bridge)) {
          refused.add(bridge);
          continue;
        }
      }
      draining.remove(c.name());
      leaving.remove(c.name());
      undrained.put(c.name(), now);
      cancelled++;
      log(now, "undrain", c.name() + " takes conferences again (" + (c.participants() < 0 ? "unknown"
          : c.participants()) + " participants, draining since " + c.drain().since() + ") instead of a new instance");
    }
    if (!refused.isEmpty()) {
      log(now, "undrain-refused", refused + " did not accept the undrain (or the drainer cannot undrain): launching");
    }
    return cancelled;
  }

  /** Drains up to {@code n} victims; returns how many accepted. */
  private int startDrains(List<CloudInstance> capacity, PoolSnapshot snapshot, int n, Instant now) {
    // Sort keys computed once per instance: this runs every step of a long scale-in, over the whole fleet.
    record Victim(CloudInstance instance, int droppedLately, int hasBridge, int participants, double stress) {}
    droppedDrain.values().removeIf(at -> !now.isBefore(at.plus(drainDeadline)));
    List<Victim> victims = new ArrayList<>();
    for (CloudInstance i : capacity) {
      // A launch still not running past its protection (GCE keeps retrying one that hit a quota)
      // is capacity that never came: it goes first, without a drain (jitsi-autoscaler's
      // instance_launcher.ts: provisioning instances are scaled down first).
      if (now.isBefore(i.createdAt().plus(protectedTtl))) {
        continue;
      }
      Optional<Bridge> b = snapshot.bridge(bridgeOfInstance.apply(i.name()));
      boolean hasBridge = b.isPresent() || heard.containsKey(i.name());
      if (!hasBridge && i.status() == InstanceStatus.RUNNING && now.isBefore(bridgelessKnownFrom)) {
        continue; // its bridge may be live but not heard from yet by a freshly started process
      }
      // A bridge the pool forgot still counts as occupied: unknown participants and stress.
      victims.add(new Victim(i, droppedDrain.containsKey(i.name()) ? 1 : 0, hasBridge ? 1 : 0,
          b.map(x -> x.participants().orElse(Integer.MAX_VALUE)).orElse(Integer.MAX_VALUE),
          b.map(x -> x.correctedStress().orElse(Double.MAX_VALUE)).orElse(hasBridge ? Double.MAX_VALUE : 0.0)));
    }
    victims.sort(Comparator.comparingInt(Victim::droppedLately).thenComparingInt(Victim::hasBridge)
        .thenComparingInt(Victim::participants)
        .thenComparingDouble(Victim::stress).thenComparing(v -> v.instance().name()));
    List<Victim> eligible = victims;
    if (lightFraction > 0 && (scaleInWaitingSince == null || now.isBefore(scaleInWaitingSince.plus(lightMaxWait)))) {
      // Every participant still on a drained bridge at its deadline is cut off, and that is about the
      // same share of whatever it carried when drained (a quarter at 1 h, in the reference traffic):
      // so wait for a bridge that happens to be light (a large conference just ended) rather than
      // drain one as loaded as the rest.
      double mean = victims.stream().filter(v -> v.hasBridge() == 1 && v.participants() != Integer.MAX_VALUE)
          .mapToInt(Victim::participants).average().orElse(0);
      double bound = lightFraction * mean;
      eligible = victims.stream().filter(v -> v.hasBridge() == 0 || v.participants() <= bound).toList();
      if (eligible.size() < Math.min(n, victims.size()) && scaleInWaitingSince == null) {
        log(now, "drain-waiting", String.format(java.util.Locale.ROOT, "no bridge carries at most %.2f × the mean "
            + "%.1f participants (lightest: %s): scale-in waits for one, at most %s", lightFraction, mean,
            victims.isEmpty() || victims.get(0).participants() == Integer.MAX_VALUE ? "unknown"
                : victims.get(0).participants(), lightMaxWait));
      }
    }
    List<CloudInstance> candidates = eligible.stream().map(Victim::instance).toList();
    int started = 0;
    for (CloudInstance victim : candidates) {
      if (started == n) {
        break;
      }
      String bridge = bridgeOfInstance.apply(victim.name());
      boolean known = snapshot.bridge(bridge).isPresent() || heard.containsKey(victim.name());
      boolean drained = false;
      if (known) {
        fence("drain " + bridge);
        if (!drainer.drain(bridge)) {
          log(now, "drain-refused", bridge + " did not accept the drain; trying another");
          continue;
        }
        drained = true;
      } else if (victim.status() == InstanceStatus.RUNNING) {
        // Running, but no bridge heard from it by this process: it may still carry conferences
        // unseen (its brewery connection broke before this process started). Drained if it
        // answers; either way deleted only at the deadline (finishDrains).
        fence("drain " + bridge);
        drained = drainer.drain(bridge);
      }
      draining.put(victim.name(), new Drain(now, drained));
      leaving.add(victim.name());
      started++;
      log(now, "drain", victim.name() + (known ? " drained" : drained ? " (no bridge heard of) drained"
          : " has no bridge heard of") + "; deleted once empty or after " + drainDeadline);
    }
    return started;
  }

  /**
   * Why the load is unknown, if it is: the pool knows none of the bridges of the group's running,
   * unprotected instances (the brewery connection is down, or the pool forgot every bridge). Any
   * policy then reads the silence as zero load, and every instance would look like one that never
   * started a bridge.
   */
  private Optional<String> loadUnknown(List<CloudInstance> capacity, PoolSnapshot snapshot, Instant now) {
    int unheard = 0;
    for (CloudInstance i : capacity) {
      if (i.status() != InstanceStatus.RUNNING || now.isBefore(i.createdAt().plus(protectedTtl))) {
        continue;
      }
      if (snapshot.bridge(bridgeOfInstance.apply(i.name())).isPresent()) {
        return Optional.empty();
      }
      unheard++;
    }
    return unheard == 0 ? Optional.empty() : Optional.of("the pool knows the bridge of none of the " + unheard
        + " running instances: their load is unknown (brewery silent?)");
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
    private boolean undrainOnScaleOut = true;
    private double lightFraction;
    private Duration lightMaxWait = Duration.ZERO;
    private double swapFraction = 0.5;
    private Duration swapMaxDrainAge = Duration.ofHours(1);
    private double swapMaxServingStress = 0.5;
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

    /**
     * How long a lease lasts without renewal (default 1 min, at most 1 day): longer than the step
     * interval. With a shared {@link #lease}, a replica whose steps are further apart than this
     * forgets its state at every step (another replica may have led in between).
     */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = ttl;
      return this;
    }

    /**
     * New instances are never scaled in for this long (jitsi-autoscaler protectedTTLSec; Jitsi: 900 s);
     * at most 30 days.
     */
    public Builder launchProtection(Duration ttl) {
      this.protectedTtl = ttl;
      return this;
    }

    /**
     * A drained bridge is deleted when empty, or after this long whatever it still carries (Jitsi: 1 h);
     * at most 30 days.
     */
    public Builder drainDeadline(Duration deadline) {
      this.drainDeadline = deadline;
      return this;
    }

    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * On scale-out, cancel drains in progress (most participants first) before launching new
     * instances (default on). A draining bridge is already running, so it takes conferences at once
     * instead of after a boot, and its participants are no longer cut off at the drain deadline; it
     * needs a drainer that implements {@link BridgeDrainer#undrain} (one that does not just gets new
     * instances, as with this off).
     */
    public Builder undrainOnScaleOut(boolean undrain) {
      this.undrainOnScaleOut = undrain;
      return this;
    }

    /**
     * Scale-in drains only bridges that carry at most {@code fractionOfMean} × the mean participants
     * of the bridges it could drain (default: off, any bridge, the emptiest first). About a quarter
     * of a bridge's participants are still in conferences an hour after it is drained, whatever
     * it carries, so a light bridge cuts off fewer at the drain deadline; with jicofo's least-loaded
     * placement the bridges' loads differ mostly when a large conference has just ended, so a
     * scale-in may wait. It waits at most {@code maxWait}, then drains the emptiest as without
     * this option. Costs VM-hours: see {@code benchmarks/README.md}, policy quality.
     *
     * @param fractionOfMean in (0, 1]; 1 only skips bridges above the mean
     * @param maxWait how long a scale-in the policy keeps asking for may wait for a light bridge
     */
    public Builder drainOnlyLightBridges(double fractionOfMean, Duration maxWait) {
      if (!(fractionOfMean > 0 && fractionOfMean <= 1)) {
        throw new IllegalArgumentException("fractionOfMean must be in (0, 1], was " + fractionOfMean);
      }
      checked("maxWait", maxWait, true, MAX_DURATION);
      this.lightFraction = fractionOfMean;
      this.lightMaxWait = maxWait;
      return this;
    }

    /**
     * While a drain is younger than {@code maxDrainAge}, swap it for a bridge that carries at most
     * {@code fractionOfDrained} × the participants still on the drained bridge (default: 0.5 and
     * 1 h, the drain deadline Jitsi uses; {@code fractionOfDrained} 0 turns swaps off). The
     * drained bridge is undrained and takes conferences again, the lighter one is drained instead,
     * with a deadline of its own: the same capacity goes, fewer participants are cut off at the
     * deadline, and the deletion comes later by the swapped drain's age (at most
     * {@code maxDrainAge}). With jicofo's least-loaded placement a bridge much lighter than the rest
     * appears when a large conference ends. One swap per step, the drain with the most participants
     * first; none on a scale-out step (that undrains already), and none while the bridges taking
     * conferences run on average above half the overload threshold (the lighter bridge's room is
     * then needed: target tracking at 0.6 with octo overloaded more with swaps). Needs a drainer that implements
     * {@link BridgeDrainer#undrain}. On the reference traces it cuts off 10–22% fewer participants
     * for under 0.3% more VM-hours ({@code benchmarks/README.md}, policy quality).
     *
     * @param fractionOfDrained in [0, 1); 0: no swaps
     * @param maxDrainAge positive: drains older than this stay as they are
     */
    public Builder swapDrainsForLighterBridges(double fractionOfDrained, Duration maxDrainAge) {
      return swapDrainsForLighterBridges(fractionOfDrained, maxDrainAge, 0.5);
    }

    /**
     * Same, swapping only while the bridges that take conferences run on average at most
     * {@code maxServingStress} × the overload threshold ({@link io.bridgekeeper.bridges.BridgeHealthConfig#stressThreshold()};
     * default 0.5). Raise it for a fleet that runs hotter on purpose and whose conferences are
     * small; lower it to keep every spare bridge once the fleet warms up.
     *
     * @param maxServingStress in (0, 1]: a fraction of the overload threshold
     */
    public Builder swapDrainsForLighterBridges(double fractionOfDrained, Duration maxDrainAge,
        double maxServingStress) {
      if (!(maxServingStress > 0 && maxServingStress <= 1)) {
        throw new IllegalArgumentException("maxServingStress must be in (0, 1], was " + maxServingStress);
      }
      if (!(fractionOfDrained >= 0 && fractionOfDrained < 1)) {
        throw new IllegalArgumentException("fractionOfDrained must be in [0, 1), was " + fractionOfDrained);
      }
      checked("maxDrainAge", maxDrainAge, false, MAX_DURATION);
      this.swapFraction = fractionOfDrained;
      this.swapMaxDrainAge = maxDrainAge;
      this.swapMaxServingStress = maxServingStress;
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
