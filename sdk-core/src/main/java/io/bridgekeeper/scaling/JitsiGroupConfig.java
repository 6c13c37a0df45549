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
 * translate: availability groups (jibri) count idle instances instead.
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
      ThresholdOptions options = new ThresholdOptions(min, max,
          integer(s, "scalingOptions.scaleUpQuantity", "scaleUpQuantity"),
          integer(s, "scalingOptions.scaleDownQuantity", "scaleDownQuantity"),
          decimal(s, "scalingOptions.scaleUpThreshold", "scaleUpThreshold"),
          decimal(s, "scalingOptions.scaleDownThreshold", "scaleDownThreshold"),
          Duration.ofSeconds(integer(s, "scalingOptions.scalePeriod", "scalePeriod")),
          integer(s, "scalingOptions.scaleUpPeriodsCount", "scaleUpPeriodsCount"),
          integer(s, "scalingOptions.scaleDownPeriodsCount", "scaleDownPeriodsCount"),
          Duration.ofSeconds(integer(root, "gracePeriodTTLSec", "gracePeriodTTLSec")), false);
      int protectedTtl = integer(root, "protectedTTLSec", "protectedTTLSec");
      if (protectedTtl < 0) {
        throw new InvalidGroupConfigException("protectedTTLSec: must be ≥ 0, was " + protectedTtl);
      }
      return new JitsiGroupConfig(text(root, "name"), type, options, desired, Duration.ofSeconds(protectedTtl));
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
