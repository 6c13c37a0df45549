/**
 * Room-to-shard routing shared with HAProxy.
 *
 * <p>Entry point: {@link io.bridgekeeper.routing.Router} (create it from a
 * {@link io.bridgekeeper.routing.Topology}, usually loaded with
 * {@link io.bridgekeeper.routing.TopologyFiles}). Keys come from
 * {@link io.bridgekeeper.routing.RoomKeyRules}; bucket → shard tables are built by a
 * {@link io.bridgekeeper.routing.PlacementStrategy}.
 *
 * <p>Thread-safety: every value type here (keys, rules, shards, topologies, routing tables, diffs)
 * is immutable and safe to share. {@code Router} is thread-safe: lock-free reads of one immutable
 * snapshot, serialised writes. {@code TopologyFiles} is stateless.
 */
package io.bridgekeeper.routing;
