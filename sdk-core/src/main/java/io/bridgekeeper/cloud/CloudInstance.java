package io.bridgekeeper.cloud;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One VM of an instance group, as the cloud lists it.
 *
 * @param id the cloud's id
 * @param name the instance name (on GCE also the host name, and so the bridge's MUC nickname)
 * @param status its lifecycle status
 * @param zone where it runs
 * @param createdAt when the cloud created it
 * @param labels its labels
 */
public record CloudInstance(String id, String name, InstanceStatus status, String zone, Instant createdAt,
    Map<String, String> labels) {
  public CloudInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(createdAt, "createdAt");
    labels = Map.copyOf(labels);
  }
}
