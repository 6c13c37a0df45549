package io.bridgekeeper.bridges;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One report of a videobridge's statistics, from its brewery presence ({@code <stats
 * xmlns='http://jitsi.org/protocol/colibri'>}) or {@code GET /colibri/stats}.
 *
 * <p>Typed fields are the ones jicofo reads ({@code jitsi/jicofo:jicofo-selector/.../Bridge.kt
 * setStats}) plus the load counts; everything else stays in {@link #raw()}. A stat that is absent
 * is empty — unknown, never zero. {@link #drain()} is empty when not reported, and jicofo then
 * treats the bridge as draining.
 *
 * @param stressLevel {@code stress_level}: load relative to the bridge's threshold (may exceed 1)
 * @param averageParticipantStress {@code average_participant_stress}: stress one more participant adds
 * @param gracefulShutdown {@code graceful_shutdown}
 * @param shuttingDown {@code shutting_down}
 * @param drain {@code drain}
 * @param version {@code version} (empty when not reported)
 * @param release {@code release}
 * @param region {@code region}
 * @param relayId {@code relay_id}
 * @param healthy {@code healthy}
 * @param conferences {@code conferences}
 * @param participants {@code endpoints}, else the deprecated {@code participants}
 * @param raw every stat as reported, name → value text
 */
public record BridgeStats(
    OptionalDouble stressLevel,
    OptionalDouble averageParticipantStress,
    boolean gracefulShutdown,
    boolean shuttingDown,
    Optional<Boolean> drain,
    String version,
    String release,
    String region,
    String relayId,
    Optional<Boolean> healthy,
    OptionalInt conferences,
    OptionalInt participants,
    Map<String, String> raw) {

  /** More stats than a bridge publishes (about 90) by a wide margin: a report beyond is refused. */
  public static final int MAX_STATS = 512;
  /** Longest stat name or value accepted. */
  public static final int MAX_TEXT = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  public BridgeStats {
    Objects.requireNonNull(stressLevel, "stressLevel");
    Objects.requireNonNull(averageParticipantStress, "averageParticipantStress");
    Objects.requireNonNull(drain, "drain");
    version = Objects.requireNonNullElse(version, "");
    release = Objects.requireNonNullElse(release, "");
    region = Objects.requireNonNullElse(region, "");
    relayId = Objects.requireNonNullElse(relayId, "");
    Objects.requireNonNull(healthy, "healthy");
    Objects.requireNonNull(conferences, "conferences");
    Objects.requireNonNull(participants, "participants");
    stressLevel.ifPresent(s -> checkStress("stress_level", s));
    averageParticipantStress.ifPresent(s -> checkStress("average_participant_stress", s));
    conferences.ifPresent(c -> checkCount("conferences", c));
    participants.ifPresent(c -> checkCount("endpoints", c));
    raw = Objects.requireNonNull(raw, "raw").isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(raw));
  }

  /** The version jicofo pins conferences to: {@code version-release}, or the version alone. */
  public String fullVersion() {
    return release.isEmpty() ? version : version + "-" + release;
  }

  /**
   * Parses stats as name → text, the way the brewery presence carries them.
   *
   * @throws BridgeStatsException naming the first stat that cannot be believed (non-numeric, NaN,
   *     infinite or negative stress; negative or non-integer counts; a boolean that is neither
   *     {@code true} nor {@code false}; more than {@value #MAX_STATS} stats or text longer than
   *     {@value #MAX_TEXT})
   */
  public static BridgeStats parse(Map<String, String> stats) {
    Objects.requireNonNull(stats, "stats");
    if (stats.size() > MAX_STATS) {
      throw new BridgeStatsException("*", stats.size() + " stats in one report (at most " + MAX_STATS + ")");
    }
    for (Map.Entry<String, String> e : stats.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new BridgeStatsException("*", "a stat without a name or a value");
      }
      if (e.getKey().length() > MAX_TEXT || e.getValue().length() > MAX_TEXT) {
        throw new BridgeStatsException(clip(e.getKey()), "stat longer than " + MAX_TEXT + " characters");
      }
    }
    OptionalInt participants = count(stats, "endpoints");
    if (participants.isEmpty()) {
      participants = count(stats, "participants");
    }
    return new BridgeStats(decimal(stats, "stress_level"), decimal(stats, "average_participant_stress"),
        flag(stats, "graceful_shutdown").orElse(false), flag(stats, "shutting_down").orElse(false),
        flag(stats, "drain"), stats.get("version"), stats.get("release"), stats.get("region"), stats.get("relay_id"),
        flag(stats, "healthy"), count(stats, "conferences"), participants, stats);
  }

  /**
   * Parses the JSON of {@code GET /colibri/stats}: a flat object of numbers, booleans and strings.
   *
   * @throws BridgeStatsException for malformed JSON, a non-object, nested values, or any stat
   *     {@link #parse} refuses
   */
  public static BridgeStats fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(Objects.requireNonNull(json, "json"));
    } catch (JsonProcessingException e) {
      throw new BridgeStatsException("*", "stats are not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BridgeStatsException("*", "stats JSON is not an object");
    }
    Map<String, String> flat = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isContainerNode()) {
        continue; // JVB's stats are flat; nested diagnostics are not stats
      }
      flat.put(e.getKey(), v.isNull() ? "" : v.asText());
      if (flat.size() > MAX_STATS) {
        throw new BridgeStatsException("*", "more than " + MAX_STATS + " stats in one report");
      }
    }
    return parse(flat);
  }

  private static OptionalDouble decimal(Map<String, String> stats, String name) {
    String v = stats.get(name);
    if (v == null || v.isEmpty()) {
      return OptionalDouble.empty();
    }
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new BridgeStatsException(name, name + " '" + clip(v) + "' is not a number");
    }
    return OptionalDouble.of(checkStress(name, d));
  }

  private static double checkStress(String name, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d) || d < 0) {
      throw new BridgeStatsException(name, name + " must be a finite number ≥ 0, was " + d);
    }
    return d;
  }

  private static OptionalInt count(Map<String, String> stats, String name) {
    String v = stats.get(name);
    if (v == null || v.isEmpty()) {
      return OptionalInt.empty();
    }
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new BridgeStatsException(name, name + " '" + clip(v) + "' is not a whole number");
    }
    return OptionalInt.of(checkCount(name, n));
  }

  private static int checkCount(String name, int n) {
    if (n < 0) {
      throw new BridgeStatsException(name, name + " must be ≥ 0, was " + n);
    }
    return n;
  }

  private static Optional<Boolean> flag(Map<String, String> stats, String name) {
    String v = stats.get(name);
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    return switch (v.trim()) {
      case "true" -> Optional.of(true);
      case "false" -> Optional.of(false);
      default -> throw new BridgeStatsException(name, name + " '" + clip(v) + "' is neither true nor false");
    };
  }

  private static String clip(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 40);
  }
}
