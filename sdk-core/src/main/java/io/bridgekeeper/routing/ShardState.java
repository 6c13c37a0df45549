package io.bridgekeeper.routing;

/** What a shard may receive. */
public enum ShardState {
  /** Owns buckets and receives new rooms. */
  ACTIVE,
  /** Owns no buckets and gets no new rooms, but its pinned live rooms stay until they end. */
  DRAINING,
  /** Gone: owns no buckets and loses its pins; its rooms move. */
  DOWN
}
