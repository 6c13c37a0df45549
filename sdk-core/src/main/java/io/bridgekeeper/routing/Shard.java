package io.bridgekeeper.routing;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One Jitsi shard (prosody + jicofo + web, with its own videobridges) as the router sees it.
 *
 * <p>Every field is restricted to characters that are safe in an HAProxy configuration, map file
 * and runtime-API command, so no shard can smuggle a line or directive into generated files.
 *
 * @param id unique identifier, {@code [A-Za-z0-9][A-Za-z0-9_.-]*}, at most 63 characters
 * @param weight share of buckets relative to the other shards, 1 to {@value #MAX_WEIGHT}
 * @param region free-form region label ({@code [A-Za-z0-9_.-]*}, may be empty)
 * @param state whether it takes new rooms
 * @param address {@code host:port} the proxy connects to (may be empty when routing only)
 * @param backend name of its HAProxy backend, {@code [A-Za-z0-9][A-Za-z0-9_.:-]*}
 */
public record Shard(String id, int weight, String region, ShardState state, String address, String backend) {
  /** Largest weight. */
  public static final int MAX_WEIGHT = 10_000;
  /** Weight of a shard whose weight is not given. */
  public static final int DEFAULT_WEIGHT = 100;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern REGION = Pattern.compile("[A-Za-z0-9_.-]{0,64}");
  private static final Pattern BACKEND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,126}");
  private static final Pattern ADDRESS =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})(:([0-9]{1,5}))?");

  public Shard {
    Objects.requireNonNull(id, "shard id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("shard id '" + printable(id)
          + "' must be 1-63 characters of [A-Za-z0-9_.-], starting with a letter or digit");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "shard " + id + ": weight must be between 1 and " + MAX_WEIGHT + ", was " + weight
              + " (use state DRAINING to give a shard no new rooms)");
    }
    region = region == null ? "" : region;
    if (!REGION.matcher(region).matches()) {
      throw new IllegalArgumentException(
          "shard " + id + ": region '" + printable(region) + "' must be at most 64 characters of [A-Za-z0-9_.-]");
    }
    Objects.requireNonNull(state, "shard " + id + ": state");
    address = address == null ? "" : address;
    if (!address.isEmpty()) {
      var m = ADDRESS.matcher(address);
      if (!m.matches() || (m.group(3) != null
          && (Integer.parseInt(m.group(3)) < 1 || Integer.parseInt(m.group(3)) > 65535))) {
        throw new IllegalArgumentException("shard " + id + ": address '" + printable(address)
            + "' must be host, host:port or [ipv6]:port with a port from 1 to 65535");
      }
    }
    backend = backend == null || backend.isEmpty() ? defaultBackend(id) : backend;
    if (!BACKEND.matcher(backend).matches()) {
      throw new IllegalArgumentException("shard " + id + ": backend name '" + printable(backend)
          + "' must be 1-127 characters of [A-Za-z0-9_.:-], starting with a letter or digit");
    }
  }

  /** An ACTIVE shard with the default weight, no region, no address and the default backend. */
  public static Shard of(String id) {
    return new Shard(id, DEFAULT_WEIGHT, "", ShardState.ACTIVE, "", null);
  }

  /** The backend name used when none is given: {@code shard_<id>}. */
  public static String defaultBackend(String id) {
    return "shard_" + id;
  }

  public Shard withWeight(int newWeight) {
    return new Shard(id, newWeight, region, state, address, backend);
  }

  public Shard withState(ShardState newState) {
    return new Shard(id, weight, region, newState, address, backend);
  }

  public Shard withRegion(String newRegion) {
    return new Shard(id, weight, newRegion, state, address, backend);
  }

  public Shard withAddress(String newAddress) {
    return new Shard(id, weight, region, state, newAddress, backend);
  }

  public Shard withBackend(String newBackend) {
    return new Shard(id, weight, region, state, address, newBackend);
  }

  /** Whether it owns buckets (only ACTIVE shards do). */
  public boolean isActive() {
    return state == ShardState.ACTIVE;
  }

  /** Shows control characters in error messages instead of letting them break the line. */
  static String printable(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 80);
  }
}
