package io.bridgekeeper.haproxy;

import io.bridgekeeper.routing.RoutingTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one or many HAProxy instances to a {@link RoutingTable}.
 *
 * <p>For each push the maps are rendered and validated once (a map value naming an undeclared
 * backend stops everything before a byte is written). Then, per instance: both map files are
 * written atomically (so a restart loads the current table), and the runtime API swaps the pins
 * first and the buckets second, each atomically — a live room's pin is in place before the bucket
 * that would move it. Pushes are full replacements, so they are idempotent: pushing the current
 * table again repairs an instance that missed a push, was down or restarted. One failing instance
 * does not stop the others; {@link #push} reports each.
 *
 * <p>Thread-safe if calls to {@link #push} are serialised by the caller (for example from a
 * {@code Router} listener, which receives changes one at a time).
 */
public final class HaproxySync {
  private static final Logger LOG = LoggerFactory.getLogger(HaproxySync.class);

  /** One HAProxy: its runtime API and the directory its configuration loads the maps from. */
  public record Instance(String name, HaproxyRuntimeApi api, Path mapDirectory) {
    public Instance {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(api, "api");
      Objects.requireNonNull(mapDirectory, "mapDirectory");
    }
  }

  /** What a push did to one instance; {@code failure} is empty when it is at the table. */
  public record InstanceResult(String instance, Optional<Exception> failure) {
    public boolean ok() {
      return failure.isEmpty();
    }
  }

  private final List<Instance> instances;
  private final Set<String> declaredBackends;

  private HaproxySync(List<Instance> instances, Set<String> declaredBackends) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("HaproxySync needs at least one instance");
    }
    this.instances = List.copyOf(instances);
    this.declaredBackends = Set.copyOf(declaredBackends);
  }

  /**
   * @param declaredBackends the backends every instance's configuration declares
   */
  public static HaproxySync of(List<Instance> instances, Set<String> declaredBackends) {
    return new HaproxySync(instances, declaredBackends);
  }

  /**
   * Pushes {@code table} to every instance.
   *
   * @throws HaproxyConfigException before anything is written when a map is invalid
   */
  public List<InstanceResult> push(RoutingTable table) {
    HaproxyMaps.Rendered maps = HaproxyMaps.Rendered.of(table, declaredBackends);
    List<InstanceResult> results = new ArrayList<>();
    for (Instance instance : instances) {
      try {
        Path dir = instance.mapDirectory();
        maps.writeTo(dir);
        instance.api().replaceMap(dir.resolve(HaproxyMaps.PINS_MAP).toString(), maps.pins());
        instance.api().replaceMap(dir.resolve(HaproxyMaps.BUCKETS_MAP).toString(), maps.buckets());
        results.add(new InstanceResult(instance.name(), Optional.empty()));
      } catch (IOException | HaproxyRuntimeException e) {
        LOG.warn("HAProxy {} is not at routing table v{}: {}", instance.name(), table.topology().version(),
            e.getMessage());
        results.add(new InstanceResult(instance.name(), Optional.of(e)));
      }
    }
    return results;
  }
}
