package io.bridgekeeper.haproxy;

import io.bridgekeeper.routing.RoomKey;
import io.bridgekeeper.routing.internal.AtomicFiles;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The two map files HAProxy routes with, rendered from a {@link RoutingTable}.
 *
 * <ul>
 *   <li>{@code buckets.map}: one line {@code <bucket> <backend>} per owned bucket, in bucket order,
 *       looked up with {@code map_str} (tree-indexed; {@code map_int} is a linear scan).
 *   <li>{@code pins.map}: one line {@code <KEY-HEX> <backend>} per pinned room, in key order. The
 *       key is the room key's bytes as uppercase hexadecimal, which is exactly what HAProxy's
 *       {@code hex} converter makes of {@code var(txn.room)}: so every key HAProxy can produce —
 *       spaces, {@code #}, non-ASCII, 2 KB long — is one safe token on one line, and Java and
 *       HAProxy agree on it.
 * </ul>
 *
 * <p>Output is deterministic (the same table gives byte-identical files). Before anything is
 * written, every map value is checked against the backends the configuration declares — the check
 * {@code haproxy -c} does not make (a map value naming a missing backend silently falls through to
 * the default backend at run time). Stateless and thread-safe.
 */
public final class HaproxyMaps {
  /** File name of the bucket map. */
  public static final String BUCKETS_MAP = "buckets.map";
  /** File name of the pin map. */
  public static final String PINS_MAP = "pins.map";

  private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.:-]+");

  private HaproxyMaps() {}

  /** The pin-map key of a room: its bytes as uppercase hex (HAProxy: {@code var(txn.room),hex}). */
  public static String pinKey(RoomKey key) {
    return UPPER_HEX.formatHex(key.bytes());
  }

  /** The bucket map's entries, in bucket order: bucket (decimal) → backend. */
  public static Map<String, String> bucketEntries(RoutingTable table) {
    Map<String, String> entries = new java.util.LinkedHashMap<>();
    for (int b = 0; b < table.bucketCount(); b++) {
      int bucket = b;
      table.owner(b).ifPresent(owner -> entries.put(Integer.toString(bucket), owner.backend()));
    }
    return entries;
  }

  /** The pin map's entries, in key order: {@link #pinKey} → backend. */
  public static Map<String, String> pinEntries(RoutingTable table) {
    Map<String, Shard> byId = table.shards().stream().collect(Collectors.toMap(Shard::id, s -> s));
    Map<String, String> entries = new java.util.LinkedHashMap<>();
    table.pins().forEach((key, shardId) -> entries.put(pinKey(key), byId.get(shardId).backend()));
    return entries;
  }

  /** {@code buckets.map} for {@code table}. */
  public static String bucketsMap(RoutingTable table) {
    return render(bucketEntries(table));
  }

  /** {@code pins.map} for {@code table}. */
  public static String pinsMap(RoutingTable table) {
    return render(pinEntries(table));
  }

  static String render(Map<String, String> entries) {
    StringBuilder sb = new StringBuilder(entries.size() * 16);
    entries.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    return sb.toString();
  }

  /**
   * Checks a rendered map: every line is {@code <key> <value>} of safe tokens and every value is
   * one of {@code backends}.
   *
   * @throws HaproxyConfigException naming the map, line and problem
   */
  public static void validate(String mapName, String map, Set<String> backends) {
    int lineNo = 0;
    for (String line : map.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      int space = line.indexOf(' ');
      if (space <= 0 || line.indexOf(' ', space + 1) >= 0) {
        throw new HaproxyConfigException(mapName + " line " + lineNo + ": expected '<key> <backend>'");
      }
      String key = line.substring(0, space);
      String value = line.substring(space + 1);
      if (!TOKEN.matcher(key).matches() || !TOKEN.matcher(value).matches()) {
        throw new HaproxyConfigException(mapName + " line " + lineNo + ": key or value has a character "
            + "that does not belong in a map line");
      }
      if (!backends.contains(value)) {
        throw new HaproxyConfigException(mapName + " line " + lineNo + ": backend '" + value
            + "' is not declared in the HAProxy configuration (known: " + backends.stream().sorted().toList() + ")");
      }
    }
  }

  /**
   * Renders, validates both maps, then writes them atomically into {@code dir}: pins first, so a
   * live room's pin is in place before the bucket that moves it. Nothing is written when either
   * map is invalid.
   *
   * @param declaredBackends the backends the running configuration has
   */
  public static void write(RoutingTable table, Path dir, Set<String> declaredBackends) throws IOException {
    Rendered.of(table, declaredBackends).writeTo(dir);
  }

  /** Both maps of one table, rendered and validated once, for any number of writes and pushes. */
  record Rendered(Map<String, String> pins, Map<String, String> buckets, String pinsText, String bucketsText) {
    /** @throws HaproxyConfigException when either map names an undeclared backend */
    static Rendered of(RoutingTable table, Set<String> declaredBackends) {
      Map<String, String> pins = pinEntries(table);
      Map<String, String> buckets = bucketEntries(table);
      Rendered r = new Rendered(pins, buckets, render(pins), render(buckets));
      validate(PINS_MAP, r.pinsText, declaredBackends);
      validate(BUCKETS_MAP, r.bucketsText, declaredBackends);
      return r;
    }

    /**
     * Writes both files into {@code dir} so that a HAProxy (re)loading them between two writes
     * never routes a live room wrongly: first the pins already on disk plus the new ones, then
     * the buckets, then exactly the new pins. (A pin that is added must be in place before its
     * bucket moves; a pin that is dropped — its bucket came back to its shard — only after.)
     */
    void writeTo(Path dir) throws IOException {
      Path pinsFile = dir.resolve(PINS_MAP);
      if (java.nio.file.Files.exists(pinsFile)) {
        Map<String, String> onDisk = parse(java.nio.file.Files.readString(pinsFile));
        Map<String, String> union = withOld(onDisk);
        if (!union.equals(onDisk)) {
          AtomicFiles.write(pinsFile, render(union));
        }
      } else {
        AtomicFiles.write(pinsFile, pinsText);
      }
      AtomicFiles.write(dir.resolve(BUCKETS_MAP), bucketsText);
      AtomicFiles.write(pinsFile, pinsText);
    }

    /** {@code old} pins overlaid with the new ones (a new value wins), in key order. */
    Map<String, String> withOld(Map<String, String> old) {
      Map<String, String> union = new java.util.TreeMap<>(old);
      union.putAll(pins);
      return union;
    }

    private static Map<String, String> parse(String map) {
      Map<String, String> entries = new java.util.LinkedHashMap<>();
      for (String line : map.split("\n")) {
        int space = line.indexOf(' ');
        if (space > 0) {
          entries.put(line.substring(0, space), line.substring(space + 1));
        }
      }
      return entries;
    }
  }
}
