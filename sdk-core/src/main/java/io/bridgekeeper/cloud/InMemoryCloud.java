package io.bridgekeeper.cloud;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The embedded cloud for simulation and tests: one instance group that boots instances after a
 * delay, lets some launches fail, throws API errors on demand, and enforces a quota —
 * deterministic for a clock and a seed (the random draws happen in call order, never by time).
 *
 * <p>Statuses follow the clock lazily: an instance is PROVISIONING until {@code bootDelay} after
 * its creation, then RUNNING (or FAILED, for a failed launch); a deleted instance is STOPPING for
 * {@code deleteDelay}, then gone. Thread-safe.
 */
public final class InMemoryCloud implements CloudBackend {
  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

  private final class Vm {
    final String id;
    final String name;
    final Instant createdAt;
    final boolean fails;
    Instant deletedAt;

    Vm(String id, String name, Instant createdAt, boolean fails) {
      this.id = id;
      this.name = name;
      this.createdAt = createdAt;
      this.fails = fails;
    }

    InstanceStatus status(Instant now) {
      if (deletedAt != null) {
        return InstanceStatus.STOPPING;
      }
      if (now.isBefore(createdAt.plus(bootDelay))) {
        return InstanceStatus.PROVISIONING;
      }
      return fails ? InstanceStatus.FAILED : InstanceStatus.RUNNING;
    }
  }

  private final Clock clock;
  private final SplittableRandom random;
  private final String zone;
  private final String namePrefix;
  private final Duration bootDelay;
  private final Duration deleteDelay;
  private final double launchFailureRate;
  private final double apiErrorRate;
  private final int quota;
  private final Map<String, Vm> vms = new LinkedHashMap<>();
  private int targetSize;
  private long nextId = 1;
  private int forcedErrors;
  private static final Map<String, String> LABELS = Map.of("role", "jvb");
  private List<CloudInstance> listed;
  private Instant listedAt;
  private Instant listedUntil;

  private InMemoryCloud(Builder b) {
    clock = Objects.requireNonNull(b.clock, "clock");
    random = new SplittableRandom(b.seed);
    zone = b.zone;
    namePrefix = b.namePrefix;
    bootDelay = nonNegative("bootDelay", b.bootDelay);
    deleteDelay = nonNegative("deleteDelay", b.deleteDelay);
    launchFailureRate = rate("launchFailureRate", b.launchFailureRate);
    apiErrorRate = rate("apiErrorRate", b.apiErrorRate);
    if (b.quota < 0) {
      throw new IllegalArgumentException("quota must be ≥ 0, was " + b.quota);
    }
    quota = b.quota;
  }

  public static Builder builder(Clock clock) {
    return new Builder(clock);
  }

  /** The next {@code n} calls fail with a TRANSIENT error (for fault tests). */
  public synchronized void failNextCalls(int n) {
    forcedErrors += n;
  }

  @Override
  public synchronized List<CloudInstance> listInstances() {
    maybeFail("list");
    Instant now = clock.instant();
    // A simulation lists every step; the list only changes on a call or when a boot or delete
    // finishes, so it is rebuilt only then.
    if (listed != null && !now.isBefore(listedAt) && now.isBefore(listedUntil)) {
      return listed;
    }
    expire(now);
    List<CloudInstance> out = new ArrayList<>(vms.size());
    Instant until = Instant.MAX;
    for (Vm vm : vms.values()) {
      out.add(new CloudInstance(vm.id, vm.name, vm.status(now), zone, vm.createdAt, LABELS));
      Instant change = vm.deletedAt != null ? vm.deletedAt.plus(deleteDelay) : vm.createdAt.plus(bootDelay);
      if (change.isAfter(now) && change.isBefore(until)) {
        until = change;
      }
    }
    listed = List.copyOf(out);
    listedAt = now;
    listedUntil = until;
    return listed;
  }

  @Override
  public synchronized int targetSize() {
    maybeFail("targetSize");
    return targetSize;
  }

  @Override
  public synchronized void grow(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("grow by at least 1, was " + count);
    }
    expire(clock.instant());
    List<String> names = new ArrayList<>();
    // Skips names in use (a named instance, or one still stopping): vms is keyed by name, so a
    // generated name equal to one replaced that instance, which no cloud does.
    for (long n = nextId; names.size() < count; n++) {
      String name = namePrefix + "-" + String.format("%05d", n);
      if (!vms.containsKey(name)) {
        names.add(name);
      }
    }
    create(names, "grow");
  }

  @Override
  public synchronized void createInstances(List<String> names) {
    for (String name : names) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new CloudException(CloudException.Kind.REJECTED, "instance name '" + name
            + "' must be 1-63 characters of [-a-z0-9], starting with a letter");
      }
      if (vms.containsKey(name)) {
        throw new CloudException(CloudException.Kind.REJECTED, "an instance named " + name + " exists");
      }
    }
    create(names, "createInstances");
  }

  private void create(List<String> names, String call) {
    maybeFail(call);
    Instant now = clock.instant();
    expire(now);
    long live = vms.values().stream().filter(v -> v.deletedAt == null).count();
    if (live + names.size() > quota) {
      throw new CloudException(CloudException.Kind.QUOTA, call + " of " + names.size() + ": quota of " + quota
          + " instances, " + live + " in use");
    }
    for (String name : names) {
      String id = Long.toString(nextId++);
      vms.put(name, new Vm(id, name, now, random.nextDouble() < launchFailureRate));
    }
    targetSize += names.size();
    listed = null;
  }

  @Override
  public synchronized DeleteResult deleteInstances(List<String> names) {
    maybeFail("deleteInstances");
    Instant now = clock.instant();
    expire(now);
    List<String> deleted = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String name : names) {
      Vm vm = vms.get(name);
      if (vm == null || vm.deletedAt != null) {
        skipped.add(name);
      } else {
        vm.deletedAt = now;
        deleted.add(name);
      }
    }
    targetSize -= deleted.size();
    listed = null;
    return new DeleteResult(deleted, skipped);
  }

  private void expire(Instant now) {
    if (vms.values().removeIf(vm -> vm.deletedAt != null && !now.isBefore(vm.deletedAt.plus(deleteDelay)))) {
      listed = null;
    }
  }

  private void maybeFail(String call) {
    if (forcedErrors > 0) {
      forcedErrors--;
      throw new CloudException(CloudException.Kind.TRANSIENT, call + ": injected API error");
    }
    if (apiErrorRate > 0 && random.nextDouble() < apiErrorRate) {
      throw new CloudException(CloudException.Kind.TRANSIENT, call + ": simulated API error");
    }
  }

  private static Duration nonNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must be ≥ 0, was " + d);
    }
    return d;
  }

  private static double rate(String what, double r) {
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1], was " + r);
    }
    return r;
  }

  /** Options; defaults: boot 90 s, delete 30 s, no failures, quota 1,000, seed 1. */
  public static final class Builder {
    private final Clock clock;
    private long seed = 1;
    private String zone = "sim-zone-a";
    private String namePrefix = "jvb";
    private Duration bootDelay = Duration.ofSeconds(90);
    private Duration deleteDelay = Duration.ofSeconds(30);
    private double launchFailureRate;
    private double apiErrorRate;
    private int quota = 1000;

    private Builder(Clock clock) {
      this.clock = clock;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder zone(String zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    public Builder namePrefix(String prefix) {
      this.namePrefix = Objects.requireNonNull(prefix, "namePrefix");
      return this;
    }

    public Builder bootDelay(Duration d) {
      this.bootDelay = d;
      return this;
    }

    public Builder deleteDelay(Duration d) {
      this.deleteDelay = d;
      return this;
    }

    /** Share of launches that end FAILED instead of RUNNING. */
    public Builder launchFailureRate(double rate) {
      this.launchFailureRate = rate;
      return this;
    }

    /** Share of calls that throw a TRANSIENT {@link CloudException}. */
    public Builder apiErrorRate(double rate) {
      this.apiErrorRate = rate;
      return this;
    }

    /** Most instances alive at once. */
    public Builder quota(int quota) {
      this.quota = quota;
      return this;
    }

    public InMemoryCloud build() {
      return new InMemoryCloud(this);
    }
  }
}
