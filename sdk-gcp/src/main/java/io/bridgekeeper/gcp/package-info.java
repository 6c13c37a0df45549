/**
 * Google Compute Engine backend of the cloud SPI: videobridges in a zonal or regional managed
 * instance group, driven through the official {@code google-cloud-compute} client (REST).
 *
 * <p>Entry point: {@link io.bridgekeeper.gcp.GceInstanceGroupBackend} (built for a
 * {@link io.bridgekeeper.gcp.GceGroupRef}); it implements {@link io.bridgekeeper.cloud.CloudBackend}
 * and adds GCE-only reads ({@link io.bridgekeeper.gcp.GceInstanceGroupBackend#groupStatus()},
 * {@link io.bridgekeeper.gcp.GceInstanceGroupBackend#managedInstances()}). The backend is
 * thread-safe (its calls are serialised); the value types here are immutable records.
 *
 * <p>It grows a group with {@code resize} (or {@code createInstances} for chosen names) and shrinks
 * it <b>only</b> with {@code deleteInstances} of named instances: a resize-down lets GCE pick the
 * victims, live bridges included.
 */
package io.bridgekeeper.gcp;
