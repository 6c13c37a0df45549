package io.bridgekeeper.scaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Objects;

/**
 * A jitsi-autoscaler group definition ({@code jitsi/jitsi-autoscaler:src/instance_store.ts
 * InstanceGroup}, as in its {@code groups.json} or the body of {@code PUT /groups/:name}), read into
 * the threshold policy's options. Only stress groups ({@code JVB}, {@code jigasi}, {@code nomad})
 * translate: availability groups (jibri) count idle instances instead. Only groups jitsi-autoscaler
 * scales translate too: one with {@code enableAutoScale} or {@code enableLaunch} false (or missing)
 * is run by hand there, and is refused here rather than read into a policy that scales it.
 *
 * @param name the group name
 * @param type the group type, as written
 * @param options the threshold policy's options
 * @param desiredCount the group's desired count
 * @param protectedTtl how long a newly launched instance is protected from scale-down
 */
public record JitsiGroupConfig(String name, String type, ThresholdOptions options, int desiredCount,
    Duration protectedTtl) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public JitsiGroupConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(protectedTtl, "protectedTtl");
  }

  /** Thrown for a group definition that cannot be used, naming the field. */
  public static final class InvalidGroupConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidGroupConfigException(String message) {
      super(message);
    }
  }

  /**
   * Reads one group.
   *
   * @throws InvalidGroupConfigException naming the missing or wrong field
   */
  public static JitsiGroupConfig parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(Objects.requireNonNull(json, "json"));
    } catch (JsonProcessingException e) {
      throw new InvalidGroupConfigException("group config is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidGroupConfigException("group config must be a JSON object");
    }
    String type = text(root, "type");
    if (!type.equalsIgnoreCase("JVB") && !type.equalsIgnoreCase("jigasi") && !type.equalsIgnoreCase("nomad")) {
      throw new InvalidGroupConfigException("type '" + type + "' is not a stress group (JVB, jigasi, nomad): "
          + "its thresholds do not mean average stress");
    }
    String name = text(root, "name");
    enabled(root, "enableAutoScale", name, "changes its desired count");
    enabled(root, "enableLaunch", name, "launches or removes its instances");
    JsonNode s = root.get("scalingOptions");
    if (s == null || !s.isObject()) {
      throw new InvalidGroupConfigException("scalingOptions: missing or not an object");
    }
    int min = integer(s, "scalingOptions.minDesired", "minDesired");
    int max = integer(s, "scalingOptions.maxDesired", "maxDesired");
    int desired = integer(s, "scalingOptions.desiredCount", "desiredCount");
    if (desired < min || desired > max) {
      throw new InvalidGroupConfigException("scalingOptions.desiredCount " + desired + " is outside ["
          + min + ", " + max + "] (jitsi-autoscaler's validator refuses that too)");
    }
    try {
      // The bounds of ThresholdOptions, checked here to name the JSON field: a day at most, so a
      // decision cannot overflow or walk billions of periods.
      long day = ThresholdOptions.MAX_DURATION.toSeconds();
      int scalePeriod = bounded(s, "scalingOptions.scalePeriod", "scalePeriod", 1, day);
      long counts = Math.min(ThresholdOptions.MAX_PERIODS_COUNT, day / scalePeriod);
      ThresholdOptions options = new ThresholdOptions(min, max,
          integer(s, "scalingOptions.scaleUpQuantity", "scaleUpQuantity"),
          integer(s, "scalingOptions.scaleDownQuantity", "scaleDownQuantity"),
          decimal(s, "scalingOptions.scaleUpThreshold", "scaleUpThreshold"),
          decimal(s, "scalingOptions.scaleDownThreshold", "scaleDownThreshold"),
          Duration.ofSeconds(scalePeriod),
          periodsCount(s, "scaleUpPeriodsCount", counts), periodsCount(s, "scaleDownPeriodsCount", counts),
          Duration.ofSeconds(bounded(root, "gracePeriodTTLSec", "gracePeriodTTLSec", 0, day)), false);
      int protectedTtl = bounded(root, "protectedTTLSec", "protectedTTLSec", 0, day);
      return new JitsiGroupConfig(name, type, options, desired, Duration.ofSeconds(protectedTtl));
    } catch (InvalidGroupConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidGroupConfigException("scalingOptions: " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new InvalidGroupConfigException(field + ": missing or not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode node, String path, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new InvalidGroupConfigException(path + ": missing or not a whole number");
    }
    return v.asInt();
  }

  private static int periodsCount(JsonNode scalingOptions, String field, long max) {
    int v = integer(scalingOptions, "scalingOptions." + field, field);
    if (v < 1 || v > max) {
      throw new InvalidGroupConfigException("scalingOptions." + field + ": must be in [1, " + max + "], was " + v
          + " (at most " + ThresholdOptions.MAX_PERIODS_COUNT + " periods, and a day of scalePeriod)");
    }
    return v;
  }

  private static int bounded(JsonNode node, String path, String field, long min, long max) {
    int v = integer(node, path, field);
    if (v < min || v > max) {
      throw new InvalidGroupConfigException(path + ": must be in [" + min + ", " + max + "], was " + v);
    }
    return v;
  }

  /**
   * jitsi-autoscaler skips a group whose autoscaling is off ({@code src/autoscaler.ts}: no
   * {@code enableAutoScale}, no desired change) and acts on none whose launching is off
   * ({@code src/instance_launcher.ts}: no {@code enableLaunch}, no launch or scale-down); a missing
   * flag is off there (undefined is falsy). Such a group is run by hand, and a policy cannot stop
   * the autoscaler replacing lost instances: refused, so it is never autoscaled by mistake.
   */
  private static void enabled(JsonNode root, String field, String group, String what) {
    JsonNode v = root.get(field);
    if (v == null || !v.isBoolean()) {
      throw new InvalidGroupConfigException(field + ": missing or not a boolean (jitsi-autoscaler reads a missing "
          + "flag as false)");
    }
    if (!v.booleanValue()) {
      throw new InvalidGroupConfigException("group '" + group + "': " + field + " is false, so jitsi-autoscaler never "
          + what + "; set it to true to autoscale the group, or run no autoscaler for it");
    }
  }

  private static double decimal(JsonNode node, String path, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isNumber()) {
      throw new InvalidGroupConfigException(path + ": missing or not a number");
    }
    if (!Double.isFinite(v.asDouble())) {
      // 1e400 reads as Infinity: a threshold nothing ever reaches, not what the file meant.
      throw new InvalidGroupConfigException(path + ": " + v.asText() + " is not a finite number");
    }
    return v.asDouble();
  }
}
