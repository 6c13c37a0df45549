package io.bridgekeeper.routing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bridgekeeper.routing.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and writes topology files (JSON, or YAML when the name ends in {@code .yaml}/{@code .yml}).
 * Unknown fields are errors, so a typo never silently changes routing. Thread-safe.
 *
 * <pre>{@code
 * version: 12                 # optional, default 0
 * buckets: 65536              # optional, B; HAProxy must use the same
 * placement: maglev           # optional: maglev | rendezvous
 * roomKeys:                   # optional
 *   tenantInKey: false
 *   maxKeyBytes: 2048
 * shards:
 *   - id: eu-1
 *     weight: 100             # optional, default 100
 *     region: eu-central      # optional
 *     state: active           # optional: active | draining | down
 *     address: 10.0.1.10:443  # optional
 *     backend: shard_eu-1     # optional, default shard_<id>
 * }</pre>
 */
public final class TopologyFiles {
  private static final ObjectMapper JSON = configure(JsonMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).build());
  private static final ObjectMapper YAML = configure(YAMLMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).build());

  private TopologyFiles() {}

  /** The value in Jackson's "Cannot coerce Integer value (1) to ..." message. */
  private static final java.util.regex.Pattern COERCED_VALUE = java.util.regex.Pattern.compile("value \\((.*?)\\) to");

  /**
   * Jackson's lenient defaults would change routing without a word: {@code buckets: 1024.9} read
   * as 1024, a repeated field read as its last value, {@code state: 2} read as the enum's ordinal
   * (DOWN, which drops the shard's pins), {@code tenantInKey: 1} read as true. All are errors here.
   * A number where text is expected stays text, so a YAML id {@code 007} keeps its digits.
   */
  private static ObjectMapper configure(ObjectMapper m) {
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(SerializationFeature.INDENT_OUTPUT);
    for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Boolean)) {
      m.coercionConfigFor(type)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Integer, type == LogicalType.Boolean ? CoercionAction.Fail
              : CoercionAction.TryConvert)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    m.coercionConfigFor(LogicalType.Enum)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    return m;
  }

  /** File layout of a topology. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FileTopology(
      @JsonProperty("version") Long version,
      @JsonProperty("buckets") Integer buckets,
      @JsonProperty("placement") String placement,
      @JsonProperty("roomKeys") FileRoomKeys roomKeys,
      @JsonProperty("shards") List<FileShard> shards) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FileRoomKeys(
      @JsonProperty("tenantInKey") Boolean tenantInKey,
      @JsonProperty("maxKeyBytes") Integer maxKeyBytes,
      @JsonProperty("signallingPaths") List<String> signallingPaths,
      @JsonProperty("staticDirectories") Set<String> staticDirectories,
      @JsonProperty("reservedNames") Set<String> reservedNames) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FileShard(
      @JsonProperty("id") String id,
      @JsonProperty("weight") Integer weight,
      @JsonProperty("region") String region,
      @JsonProperty("state") ShardState state,
      @JsonProperty("address") String address,
      @JsonProperty("backend") String backend) {}

  /**
   * Loads a topology file.
   *
   * @throws TopologyException naming the file, the field and the problem
   */
  public static Topology load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new TopologyException(file + ": no such file");
    } catch (IOException e) {
      throw new TopologyException(file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      return isYaml(file) ? parseYaml(text) : parseJson(text);
    } catch (TopologyException e) {
      throw new TopologyException(file + ": " + e.getMessage(), e);
    }
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  public static Topology parseJson(String json) {
    return parse(JSON, json);
  }

  public static Topology parseYaml(String yaml) {
    return parse(YAML, yaml);
  }

  private static Topology parse(ObjectMapper mapper, String text) {
    FileTopology f;
    try {
      f = mapper.readValue(text, FileTopology.class);
    } catch (JsonProcessingException e) {
      throw new TopologyException(describe(e), e);
    }
    if (f == null) {
      throw new TopologyException("the file is empty");
    }
    return fromFile(f);
  }

  private static String describe(JsonProcessingException e) {
    String where = e instanceof MismatchedInputException mi && !mi.getPath().isEmpty()
        ? pathOf(mi) + ": " : "";
    var loc = e.getLocation();
    String line = loc == null ? "" : " (near line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    String what = e.getOriginalMessage();
    if (e instanceof UnrecognizedPropertyException u) {
      what = "unknown field '" + u.getPropertyName() + "'; known fields: "
          + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
    } else if (e instanceof InvalidFormatException f && f.getTargetType() == ShardState.class) {
      what = "'" + f.getValue() + "' is not a shard state; use active, draining or down";
    } else if (e instanceof MismatchedInputException mi && mi.getTargetType() != null && what != null
        && what.startsWith("Cannot coerce")) {
      java.util.regex.Matcher found = COERCED_VALUE.matcher(what);
      Class<?> type = mi.getTargetType();
      what = (found.find() ? found.group(1) : "this value") + " is not "
          + (type == Boolean.class || type == boolean.class ? "true or false" : "a whole number");
    } else if (what != null && what.startsWith("Duplicate field")) {
      what = "d" + what.substring(1) + ": a field may appear only once";
    }
    return where + what + line;
  }

  private static String pathOf(MismatchedInputException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      }
    }
    return sb.toString();
  }

  private static Topology fromFile(FileTopology f) {
    Topology.Builder b = Topology.builder();
    if (f.version() != null) {
      b.version(f.version());
    }
    if (f.buckets() != null) {
      b.bucketCount(f.buckets());
    }
    if (f.placement() != null) {
      b.placement(f.placement());
    }
    if (f.roomKeys() != null) {
      FileRoomKeys r = f.roomKeys();
      RoomKeyRules d = RoomKeyRules.defaults();
      noNullElement("roomKeys.signallingPaths", r.signallingPaths());
      noNullElement("roomKeys.staticDirectories", r.staticDirectories());
      noNullElement("roomKeys.reservedNames", r.reservedNames());
      try {
        b.roomKeys(new RoomKeyRules(
            r.tenantInKey() != null ? r.tenantInKey() : d.tenantInKey(),
            r.maxKeyBytes() != null ? r.maxKeyBytes() : d.maxKeyBytes(),
            r.signallingPaths() != null ? r.signallingPaths() : d.signallingPaths(),
            r.staticDirectories() != null ? r.staticDirectories() : d.staticDirectories(),
            r.reservedNames() != null ? r.reservedNames() : d.reservedNames()));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new TopologyException("roomKeys: " + e.getMessage(), e);
      }
    }
    if (f.shards() == null || f.shards().isEmpty()) {
      throw new TopologyException("shards: at least one shard is required");
    }
    for (int i = 0; i < f.shards().size(); i++) {
      FileShard s = f.shards().get(i);
      if (s == null) {
        throw new TopologyException("shards[" + i + "]: is null");
      }
      if (s.id() == null) {
        throw new TopologyException("shards[" + i + "].id: is required");
      }
      try {
        b.shard(new Shard(s.id(), s.weight() != null ? s.weight() : Shard.DEFAULT_WEIGHT,
            s.region(), s.state() != null ? s.state() : ShardState.ACTIVE, s.address(), s.backend()));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new TopologyException("shards[" + i + "]: " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static void noNullElement(String field, java.util.Collection<String> values) {
    if (values == null) {
      return;
    }
    int i = 0;
    for (String v : values) {
      if (v == null) {
        throw new TopologyException(values instanceof List ? field + "[" + i + "]: is null" : field + ": an entry is null");
      }
      i++;
    }
  }

  /** The topology as JSON, every field written out, shards sorted by id. */
  public static String toJson(Topology t) {
    return write(JSON, t);
  }

  /** The topology as YAML, every field written out, shards sorted by id. */
  public static String toYaml(Topology t) {
    return write(YAML, t);
  }

  private static String write(ObjectMapper mapper, Topology t) {
    List<FileShard> shards = new ArrayList<>();
    for (Shard s : t.shards()) {
      shards.add(new FileShard(s.id(), s.weight(), s.region(), s.state(), s.address(), s.backend()));
    }
    RoomKeyRules r = t.roomKeys();
    FileTopology f = new FileTopology(t.version(), t.bucketCount(), t.placement(),
        new FileRoomKeys(r.tenantInKey(), r.maxKeyBytes(), r.signallingPaths(),
            new java.util.TreeSet<>(r.staticDirectories()), new java.util.TreeSet<>(r.reservedNames())),
        shards);
    try {
      return mapper.writeValueAsString(f);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise topology", e);
    }
  }

  /** Writes atomically: a reader sees the old file or the new one, never half of one. */
  public static void write(Topology t, Path file) throws IOException {
    AtomicFiles.write(file, isYaml(file) ? toYaml(t) : toJson(t));
  }
}
