package io.bridgekeeper.haproxy;

import io.bridgekeeper.haproxy.HaproxyRuntimeException.Kind;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one or many HAProxy instances to a {@link RoutingTable}.
 *
 * <p>For each push everything is rendered and validated first — maps against the backends each
 * instance declares, generated configurations with {@code haproxy -c} — so a bad table stops
 * before a byte is written. Then, per instance:
 *
 * <ol>
 *   <li>both map files are written atomically (so a restart loads the current table);
 *   <li>for an instance whose configuration Bridgekeeper generates ({@link Reload}): the new
 *       configuration is written, and when the running worker did not load it — its fingerprint
 *       ({@link HaproxyConfig#fingerprint}: the {@code show info} description, or for a fragment
 *       an empty backend's name in {@code show backend}) is not the file's — HAProxy reloads hitlessly through its master CLI — the new worker starts with the new
 *       backends and the new maps together, so no request is ever sent to a backend HAProxy does
 *       not have yet. A reload that fails or cannot be confirmed (master CLI unreachable, HAProxy
 *       refusing the configuration, no new worker within the timeout) fails the instance before
 *       any map is swapped, so the running worker keeps routing by its whole old table;
 *   <li>the runtime API swaps the maps, each swap atomic, in the order that never moves a live
 *       room: the running pins plus the new ones, then the buckets, then exactly the new pins (a
 *       new pin is in place before its bucket moves; a dropped pin goes only after its bucket came
 *       back).
 * </ol>
 *
 * <p>Pushes are full replacements, so they are idempotent and resumable: pushing the current table
 * again repairs an instance that missed a push, was down or restarted. One failing instance does
 * not stop the others; {@link #push} reports each. A configuration HAProxy refused to load is
 * reloaded again only after a backoff ({@link #withReloadBackoff}).
 *
 * <p>Thread-safe if calls to {@link #push} are serialised by the caller (for example from a
 * {@code Router} listener, which receives changes one at a time).
 */
public final class HaproxySync {
  private static final Logger LOG = LoggerFactory.getLogger(HaproxySync.class);
  private static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(30);
  private static final Duration DEFAULT_MAX_RETRY = Duration.ofMinutes(10);

  /**
   * One HAProxy: its runtime API, the directory its configuration loads the maps from and, when
   * Bridgekeeper generates its configuration, how to reload it. The directory is kept absolute and
   * normalised, the form the runtime API names the maps by; a configuration the operator maintains
   * must load them by that path too.
   */
  public record Instance(String name, HaproxyRuntimeApi api, Path mapDirectory, Optional<Reload> reload) {
    public Instance {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(api, "api");
      Objects.requireNonNull(mapDirectory, "mapDirectory");
      Objects.requireNonNull(reload, "reload");
      Path maps = mapDirectory.toAbsolutePath().normalize();
      // The runtime API names a map by the path HAProxy loaded it from, which the configuration
      // gives normalised: "conf/../maps/pins.map" would be an unknown map.
      mapDirectory = maps;
      reload.ifPresent(r -> {
        if (!r.config().mapDirectory().equals(maps)) {
          throw new IllegalArgumentException("instance " + name + ": its configuration loads maps from "
              + r.config().mapDirectory() + " but maps are written to " + maps);
        }
      });
    }

    /** An instance whose configuration the operator maintains: only its maps are synchronised. */
    public Instance(String name, HaproxyRuntimeApi api, Path mapDirectory) {
      this(name, api, mapDirectory, Optional.empty());
    }
  }

  /** The generated configuration of an instance, the file HAProxy reads it from, its master CLI. */
  public record Reload(HaproxyConfig config, Path configFile, HaproxyMaster master) {
    public Reload {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(configFile, "configFile");
      Objects.requireNonNull(master, "master");
    }
  }

  /** What a push did to one instance; {@code failure} is empty when it is at the table. */
  public record InstanceResult(String instance, boolean reloaded, Optional<Exception> failure) {
    public boolean ok() {
      return failure.isEmpty();
    }
  }

  private final List<Instance> instances;
  private final Set<String> declaredBackends;
  /** The configuration text haproxy -c last accepted, per instance. */
  private final Map<String, String> checkedConfigs = new java.util.concurrent.ConcurrentHashMap<>();

  /** A configuration HAProxy refused to load, per instance: when last, and how many times in a row. */
  private record Refusal(String config, Instant at, int times) {}

  private final Map<String, Refusal> refusals = new java.util.concurrent.ConcurrentHashMap<>();
  private final Duration firstRetry;
  private final Duration maxRetry;
  private final Clock clock;

  private HaproxySync(List<Instance> instances, Set<String> declaredBackends, Duration firstRetry, Duration maxRetry,
      Clock clock) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("HaproxySync needs at least one instance");
    }
    this.instances = List.copyOf(instances);
    this.declaredBackends = Set.copyOf(declaredBackends);
    this.firstRetry = firstRetry;
    this.maxRetry = maxRetry;
    this.clock = clock;
  }

  /**
   * The same instances, reloading a configuration HAProxy refused again only after {@code first},
   * then twice as long after each refusal, at most {@code max} (default: 30 s, 10 min, the system
   * clock). A refused reload is not free: HAProxy 2.6 pauses the running worker's listeners while
   * it tries the new configuration, so new connections wait or are refused for a moment each time.
   * A different configuration is tried at once.
   */
  public HaproxySync withReloadBackoff(Duration first, Duration max, Clock clock) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(clock, "clock");
    if (first.isNegative() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("need 0 ≤ first ≤ max, was first " + first + ", max " + max);
    }
    return new HaproxySync(instances, declaredBackends, first, max, clock);
  }

  /**
   * @param declaredBackends the backends the configuration of every instance without a
   *     {@link Reload} declares (instances with one declare what their generated configuration does)
   */
  public static HaproxySync of(List<Instance> instances, Set<String> declaredBackends) {
    return new HaproxySync(instances, declaredBackends, DEFAULT_FIRST_RETRY, DEFAULT_MAX_RETRY, Clock.systemUTC());
  }

  /** Instances whose configurations Bridgekeeper generates (each has a {@link Reload}). */
  public static HaproxySync of(List<Instance> instances) {
    for (Instance i : instances) {
      if (i.reload().isEmpty()) {
        throw new IllegalArgumentException("instance " + i.name() + " has no generated configuration: "
            + "use of(instances, declaredBackends)");
      }
    }
    return new HaproxySync(instances, Set.of(), DEFAULT_FIRST_RETRY, DEFAULT_MAX_RETRY, Clock.systemUTC());
  }

  /**
   * Pushes {@code table} to every instance.
   *
   * @throws HaproxyConfigException before anything is written when a map or configuration is invalid
   */
  public List<InstanceResult> push(RoutingTable table) {
    Topology topology = table.topology();
    List<Prepared> prepared = new ArrayList<>();
    for (Instance instance : instances) {
      prepared.add(prepare(instance, table));
    }
    List<InstanceResult> results = new ArrayList<>();
    for (Prepared p : prepared) {
      Instance instance = p.instance;
      boolean reloaded = false;
      try {
        p.maps.writeTo(instance.mapDirectory());
        if (instance.reload().isPresent()) {
          reloaded = reloadIfNeeded(instance, instance.reload().get(), p.config, p.backends);
        }
        swapMaps(instance, p.maps);
        results.add(new InstanceResult(instance.name(), reloaded, Optional.empty()));
      } catch (IOException | HaproxyRuntimeException e) {
        LOG.warn("HAProxy {} is not at routing table v{}: {}", instance.name(), topology.version(), e.getMessage());
        results.add(new InstanceResult(instance.name(), reloaded, Optional.of(e)));
      }
    }
    return results;
  }

  /**
   * Pins that are added must be live before the buckets that move their rooms; pins that are
   * dropped (the bucket came back to the room's shard) only after. So: the running pins plus the
   * new ones, then the buckets, then exactly the new pins — each swap atomic.
   */
  private static void swapMaps(Instance instance, HaproxyMaps.Rendered maps) {
    String pinsFile = instance.mapDirectory().resolve(HaproxyMaps.PINS_MAP).toString();
    Map<String, String> running = instance.api().showMap(pinsFile);
    Map<String, String> union = maps.withOld(running);
    if (!union.equals(running)) {
      instance.api().replaceMap(pinsFile, union);
    }
    instance.api().replaceMap(instance.mapDirectory().resolve(HaproxyMaps.BUCKETS_MAP).toString(), maps.buckets());
    if (!union.equals(maps.pins())) {
      instance.api().replaceMap(pinsFile, maps.pins());
    }
  }

  private record Prepared(Instance instance, HaproxyMaps.Rendered maps, String config, Set<String> backends) {}

  private Prepared prepare(Instance instance, RoutingTable table) {
    if (instance.reload().isEmpty()) {
      return new Prepared(instance, HaproxyMaps.Rendered.of(table, declaredBackends), null, declaredBackends);
    }
    HaproxyConfig config = instance.reload().get().config();
    Set<String> backends = config.declaredBackends(table.topology());
    HaproxyMaps.Rendered maps = HaproxyMaps.Rendered.of(table, backends);
    String text = config.render(table.topology());
    Optional<Path> binary = HaproxyBinary.locate();
    // The configuration changes only when shards come or go; map contents do not affect what
    // haproxy -c checks (they are validated against the backends above). Check each text once.
    if (binary.isPresent() && !text.equals(checkedConfigs.get(instance.name()))) {
      try {
        config.check(binary.get(), table, maps);
      } catch (IOException e) {
        throw new HaproxyConfigException("instance " + instance.name() + ": could not run haproxy -c: " + e.getMessage());
      }
      checkedConfigs.put(instance.name(), text);
    }
    return new Prepared(instance, maps, text, backends);
  }

  /** Writes the configuration, and reloads unless the running worker loaded exactly it. */
  private boolean reloadIfNeeded(Instance instance, Reload reload, String config, Set<String> backends)
      throws IOException {
    Path file = reload.configFile();
    if (!Files.exists(file) || !Files.readString(file).equals(config)) {
      AtomicFiles.write(file, config);
    }
    // The running worker names the configuration it loaded: right even when this process never
    // saw the file written (it crashed between the write and the reload, or another wrote it), and
    // when a change added no backend (an address, a bind or the bucket count changed, a shard went).
    String fingerprint = HaproxyConfig.fingerprint(config)
        .orElseThrow(() -> new IllegalStateException("a rendered configuration has a fingerprint"));
    boolean loaded = HaproxyConfig.isFragmentText(config)
        ? runningBackends(instance.api()).contains(HaproxyConfig.FINGERPRINT_BACKEND_PREFIX + fingerprint)
        : HaproxyConfig.runningFingerprint(instance.api().execute("show info")).filter(fingerprint::equals).isPresent();
    if (loaded) {
      return false;
    }
    Refusal refusal = refusals.get(instance.name());
    Instant now = clock.instant();
    if (refusal != null && refusal.config().equals(config)) {
      Instant retryAt = refusal.at().plus(backoff(refusal.times()));
      if (now.isBefore(retryAt)) {
        throw new HaproxyRuntimeException(Kind.REJECTED, "HAProxy refused the configuration in " + file + " "
            + refusal.times() + " time(s) in a row, last at " + refusal.at() + "; not reloading it again before "
            + retryAt + " (each refused reload pauses HAProxy's listeners); the running worker keeps the previous"
            + " configuration and maps");
      }
    }
    long worker;
    try {
      worker = reload.master().reload();
    } catch (HaproxyRuntimeException e) {
      if (e.kind() == Kind.REJECTED) {
        int times = refusal != null && refusal.config().equals(config) ? refusal.times() + 1 : 1;
        refusals.put(instance.name(), new Refusal(config, now, times));
      }
      throw new HaproxyRuntimeException(e.kind(), "reload of " + file + " failed (the running worker may still"
          + " serve the previous configuration and maps; a later push reloads again): " + e.getMessage(), e);
    }
    refusals.remove(instance.name());
    LOG.info("HAProxy {} reloaded (worker {}) for backends {}", instance.name(), worker, backends);
    return true;
  }

  private Duration backoff(int refusals) {
    Duration d = firstRetry;
    for (int i = 1; i < refusals && d.compareTo(maxRetry) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRetry) < 0 ? d : maxRetry;
  }

  /** {@code show backend}: one name per line after a "# name" header. */
  static Set<String> runningBackends(HaproxyRuntimeApi api) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : api.execute("show backend").split("\n")) {
      String name = line.strip();
      if (!name.isEmpty() && !name.startsWith("#")) {
        names.add(name);
      }
    }
    return names;
  }
}
