package io.bridgekeeper.cloud;

import java.util.List;

/**
 * One instance group of videobridges in a cloud: the SPI the autoscaler acts through. Backends:
 * {@link InMemoryCloud} here; Google Compute Engine managed instance groups in {@code sdk-gcp}.
 * Every backend passes the shared contract test kit ({@code CloudBackendContract} in the
 * sdk-core test-jar).
 *
 * <p>Shrinking is only ever by name: a backend must never pick the victims itself (a GCE
 * resize-down deletes arbitrary VMs, live bridges included). Implementations are thread-safe.
 */
public interface CloudBackend {
  /** The group's instances now, whatever their status. */
  List<CloudInstance> listInstances();

  /** How many instances the group is converging to. */
  int targetSize();

  /** Adds {@code count} instances that the cloud names (never with a name in use). */
  void grow(int count);

  /** Adds one instance per name, with that name (names not in use yet). */
  void createInstances(List<String> names);

  /**
   * Deletes exactly the named instances and lowers the target size by as many. Names the group
   * does not have (any more) are skipped, not an error, so a retry after a partial failure is safe.
   */
  DeleteResult deleteInstances(List<String> names);

  /** What a delete did: the names it deleted and the names it skipped (not in the group). */
  record DeleteResult(List<String> deleted, List<String> skipped) {
    public DeleteResult {
      deleted = List.copyOf(deleted);
      skipped = List.copyOf(skipped);
    }
  }
}
