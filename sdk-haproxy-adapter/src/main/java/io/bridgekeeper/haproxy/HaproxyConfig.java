package io.bridgekeeper.haproxy;

import io.bridgekeeper.routing.RoomKeyRules;
import io.bridgekeeper.routing.RoutingTable;
import io.bridgekeeper.routing.Shard;
import io.bridgekeeper.routing.Topology;
import io.bridgekeeper.routing.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Generates the HAProxy configuration that routes every Jitsi URL form of a {@link Topology} the
 * way {@link RoutingTable#route} does: a complete {@code haproxy.cfg}, or a fragment (frontend and
 * backends only) for operators who keep their own {@code global} and {@code defaults}.
 *
 * <p>What the configuration does, per request:
 *
 * <ol>
 *   <li>classifies the path with the topology's {@link RoomKeyRules}: signalling
 *       ({@code ^(/T)?/S$}: room from {@code url_param(room)}), page ({@code /R}, {@code /T/R}
 *       outside the static directories and reserved names: room from the last segment), or
 *       neither (static files);
 *   <li>derives the key with {@code url_dec,lower} (and {@code T/} in front when the tenant is
 *       part of the key) — HAProxy's converters, which the Java key derivation was built to match;
 *   <li>answers 400 when a room-bearing request has no usable key (missing, empty, malformed
 *       escape, control bytes, longer than {@link RoomKeyRules#maxKeyBytes()});
 *   <li>looks the key up in {@code pins.map} (by {@code hex}), else its bucket
 *       ({@code crc32,mod(B)}) in {@code buckets.map}, and uses that shard's backend; answers 503
 *       when the room has no shard; everything else goes to the static backend.
 * </ol>
 *
 * <p>The configuration depends only on the shards' ids, backends and addresses, the bucket count
 * and the room-key rules — not on weights, states or pins, which live in the maps and change over
 * the runtime API. A change that does alter it (a shard added or removed) needs a reload; compare
 * {@link #render} outputs to know ({@link HaproxySync} does).
 *
 * <p>Everything that reaches the output is checked against a strict token pattern first, so no
 * shard, address or path can add a line or directive. Immutable and thread-safe.
 */
public final class HaproxyConfig {
  /** Name of the generated frontend. */
  public static final String FRONTEND = "fe_bridgekeeper";
  /** Default name of the backend that serves the web app's static files. */
  public static final String DEFAULT_STATIC_BACKEND = "jitsi_static";
  /** The backend that answers 503 for a room whose bucket no shard owns. */
  public static final String NO_SHARD_BACKEND = "bridgekeeper_no_shard";
  /** Default directory the configuration loads the maps from. */
  public static final Path DEFAULT_MAP_DIRECTORY = Path.of("/etc/haproxy/bridgekeeper");

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,126}");
  private static final Pattern BIND = Pattern.compile("(\\*|[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]|[0-9A-Fa-f:.]+)?:[0-9]{1,5}");
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9_./@+=-]*");
  private static final Pattern HTTP_PATH = Pattern.compile("/[A-Za-z0-9_./~-]*");

  /** How HAProxy talks to the shards. */
  public enum ServerTls {
    /** Plain HTTP. */
    PLAIN,
    /** TLS, certificate verified against {@link Builder#caFile}. */
    VERIFY,
    /** TLS without certificate verification (private networks only). */
    NO_VERIFY
  }

  /** One listening address, optionally terminating TLS with {@code certificate}. */
  public record Bind(String address, Optional<Path> certificate) {
    public Bind {
      Objects.requireNonNull(address, "bind address");
      Objects.requireNonNull(certificate, "certificate");
      if (!BIND.matcher(address).matches()) {
        throw new IllegalArgumentException("bind address '" + printable(address)
            + "' must be [host]:port, *:port or [ipv6]:port");
      }
      certificate.ifPresent(c -> safePath("TLS certificate", c));
    }
  }

  private final boolean fragment;
  private final List<Bind> binds;
  private final Path mapDirectory;
  private final Optional<Path> statsSocket;
  private final boolean masterWorker;
  private final java.util.OptionalInt maxConnections;
  private final Optional<String> logTarget;
  private final Duration connectTimeout;
  private final Duration clientTimeout;
  private final Duration serverTimeout;
  private final Duration tunnelTimeout;
  private final Duration httpRequestTimeout;
  private final Duration hardStopAfter;
  private final String healthCheckPath;
  private final Duration checkInterval;
  private final int checkFall;
  private final int checkRise;
  private final int agentPort;
  private final ServerTls serverTls;
  private final Optional<Path> caFile;
  private final String staticBackend;
  private final List<String> staticServers;

  private HaproxyConfig(Builder b) {
    fragment = b.fragment;
    binds = List.copyOf(b.binds.isEmpty() ? List.of(new Bind("*:80", Optional.empty())) : b.binds);
    mapDirectory = safePath("map directory", b.mapDirectory);
    statsSocket = b.statsSocket.map(p -> safePath("stats socket", p));
    masterWorker = b.masterWorker;
    if (b.maxConnections.isPresent()) {
      positive("maxConnections", b.maxConnections.getAsInt());
    }
    maxConnections = b.maxConnections;
    logTarget = b.logTarget;
    logTarget.ifPresent(t -> {
      if (!Pattern.matches("[A-Za-z0-9_./@:-]+", t)) {
        throw new IllegalArgumentException("log target '" + printable(t) + "' must be a path or host:port");
      }
    });
    connectTimeout = positive("connectTimeout", b.connectTimeout);
    clientTimeout = positive("clientTimeout", b.clientTimeout);
    serverTimeout = positive("serverTimeout", b.serverTimeout);
    tunnelTimeout = positive("tunnelTimeout", b.tunnelTimeout);
    httpRequestTimeout = positive("httpRequestTimeout", b.httpRequestTimeout);
    hardStopAfter = positive("hardStopAfter", b.hardStopAfter);
    if (!HTTP_PATH.matcher(b.healthCheckPath).matches()) {
      throw new IllegalArgumentException("health-check path '" + printable(b.healthCheckPath)
          + "' must be an absolute path of [A-Za-z0-9_./~-]");
    }
    healthCheckPath = b.healthCheckPath;
    checkInterval = positive("checkInterval", b.checkInterval);
    checkFall = positive("checkFall", b.checkFall);
    checkRise = positive("checkRise", b.checkRise);
    if (b.agentPort < 0 || b.agentPort > 65535) {
      throw new IllegalArgumentException("agent port must be 0 (off) or 1-65535, was " + b.agentPort);
    }
    agentPort = b.agentPort;
    serverTls = Objects.requireNonNull(b.serverTls, "serverTls");
    caFile = b.caFile.map(p -> safePath("CA file", p));
    if (serverTls == ServerTls.VERIFY && caFile.isEmpty()) {
      throw new IllegalArgumentException("serverTls VERIFY needs a caFile");
    }
    staticBackend = token("static backend", b.staticBackend);
    if (staticBackend.equals(NO_SHARD_BACKEND) || staticBackend.equals(FRONTEND)
        || staticBackend.startsWith(FINGERPRINT_BACKEND_PREFIX)) {
      throw new IllegalArgumentException("static backend '" + staticBackend + "' is a name the generated configuration uses");
    }
    // A static server's address obeys the same rules as a shard's.
    b.staticServers.forEach(address -> Shard.of("static").withAddress(address));
    staticServers = List.copyOf(b.staticServers);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The directory the configuration loads {@code buckets.map} and {@code pins.map} from. */
  public Path mapDirectory() {
    return mapDirectory;
  }

  /** The runtime-API socket the complete configuration opens, if any. */
  public Optional<Path> statsSocket() {
    return statsSocket;
  }

  /** Whether this renders a fragment (frontend and backends) rather than a complete file. */
  public boolean isFragment() {
    return fragment;
  }

  /** The file name {@link #write} uses: {@code haproxy.cfg}, or {@code bridgekeeper.cfg} for a fragment. */
  public String fileName() {
    return fragment ? "bridgekeeper.cfg" : "haproxy.cfg";
  }

  /** Every backend the configuration declares for {@code topology}: its shards' and the static one. */
  public Set<String> declaredBackends(Topology topology) {
    Set<String> backends = new TreeSet<>();
    topology.shards().forEach(s -> backends.add(s.backend()));
    backends.add(staticBackend);
    return backends;
  }

  /** The configuration for {@code topology}, loading the maps from {@link #mapDirectory()}. */
  public String render(Topology topology) {
    return render(topology, mapDirectory);
  }

  String render(Topology topology, Path maps) {
    checkNames(topology);
    Path mapDir = safePath("map directory", maps);
    StringBuilder out = new StringBuilder(4096);
    // No topology version here: a change of weights or states must not change the file (and force
    // a reload); only a change HAProxy must reload for does.
    out.append("# Generated by Bridgekeeper. Do not edit: regenerate.\n");
    if (fragment) {
      fingerprintBackend(out);
    } else {
      global(out);
      defaults(out);
    }
    frontend(out, topology, mapDir);
    for (Shard shard : topology.shards()) {
      shardBackend(out, shard);
    }
    staticBackend(out, topology);
    // The fingerprint covers the text with the placeholder in its place, so it can be checked again.
    // Only the first occurrence is filled in: global's line, or the fragment's first backend, both
    // before any shard id or address.
    String text = out.toString();
    String prefix = fragment ? FINGERPRINT_BACKEND_PREFIX : FINGERPRINT_PREFIX;
    int at = text.indexOf(prefix + FINGERPRINT_PLACEHOLDER) + prefix.length();
    return text.substring(0, at) + digest(text) + text.substring(at + FINGERPRINT_PLACEHOLDER.length());
  }

  /**
   * A fragment cannot name itself in {@code global} (the operator's file owns it), and HAProxy 2.6
   * reports a proxy's {@code description} nowhere on its runtime API; the name of an empty backend
   * it does report ({@code show backend}).
   */
  private static void fingerprintBackend(StringBuilder out) {
    out.append("\nbackend ").append(FINGERPRINT_BACKEND_PREFIX).append(FINGERPRINT_PLACEHOLDER).append('\n')
        .append("    # names this file, so that a sync can tell whether the running worker loaded it; never used\n");
  }

  /** What {@code global} says of the configuration; HAProxy reports it in {@code show info}. */
  private static final String FINGERPRINT_PREFIX = "bridgekeeper-config-";
  private static final String FINGERPRINT_PLACEHOLDER = "0".repeat(16);
  private static final Pattern FINGERPRINT_LINE =
      Pattern.compile("(?m)^    description " + FINGERPRINT_PREFIX + "([0-9a-f]{16})$");
  /** What a fragment calls the empty backend that carries its fingerprint. */
  static final String FINGERPRINT_BACKEND_PREFIX = "bridgekeeper_config_";
  private static final Pattern FINGERPRINT_BACKEND_LINE =
      Pattern.compile("\\A# [^\\n]*\\n\\nbackend " + FINGERPRINT_BACKEND_PREFIX + "([0-9a-f]{16})\\n");
  private static final Pattern RUNNING_FINGERPRINT =
      Pattern.compile("(?m)^description: " + FINGERPRINT_PREFIX + "([0-9a-f]{16})$");

  private static String digest(String text) {
    try {
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(sha, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The fingerprint of a configuration this class rendered: 16 hex digits in the
   * {@code description} of a complete file's {@code global} section, or in the name of a
   * fragment's first (empty) backend, so that a running HAProxy names the configuration it loaded
   * ({@code show info}, {@code show backend}) and a sync can tell, with no memory of its own,
   * whether a reload is still due. Empty for a text this class did not render.
   */
  public static Optional<String> fingerprint(String renderedConfig) {
    java.util.regex.Matcher m = FINGERPRINT_LINE.matcher(renderedConfig);
    if (m.find()) {
      return Optional.of(m.group(1));
    }
    m = FINGERPRINT_BACKEND_LINE.matcher(renderedConfig);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Whether {@code renderedConfig} is a fragment (its fingerprint is a backend's name). */
  static boolean isFragmentText(String renderedConfig) {
    return FINGERPRINT_BACKEND_LINE.matcher(renderedConfig).find();
  }

  /** The fingerprint in the output of {@code show info}: the configuration the running worker loaded. */
  static Optional<String> runningFingerprint(String showInfo) {
    java.util.regex.Matcher m = RUNNING_FINGERPRINT.matcher(showInfo);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private void global(StringBuilder out) {
    out.append("\nglobal\n");
    out.append("    description ").append(FINGERPRINT_PREFIX).append(FINGERPRINT_PLACEHOLDER).append('\n');
    if (masterWorker) {
      // Reloads (a shard added or removed) start a new worker that takes over the listening
      // sockets from the old one; the old one finishes its connections.
      out.append("    master-worker\n");
    }
    // Without maxconn HAProxy derives it from the file-descriptor limit; a fixed one above that
    // limit would stop it from starting.
    maxConnections.ifPresent(m -> out.append("    maxconn ").append(m).append('\n'));
    logTarget.ifPresent(t -> out.append("    log ").append(t).append(" local0\n"));
    statsSocket.ifPresent(s -> out.append("    stats socket ").append(s).append(" mode 600 level admin\n"));
    // An old worker keeps established WebSockets after a reload; this bounds how long.
    out.append("    hard-stop-after ").append(ms(hardStopAfter)).append('\n');
    // A pin line holds a key of up to 4 KiB as 8 KiB of hex: the default 16 KiB buffer fits it.
    out.append("    tune.bufsize 16384\n");
  }

  private void defaults(StringBuilder out) {
    out.append("\ndefaults\n")
        .append("    mode http\n");
    if (logTarget.isPresent()) {
      out.append("    log global\n    option httplog\n    option dontlognull\n");
    }
    out.append("    timeout connect ").append(ms(connectTimeout)).append('\n')
        .append("    timeout client ").append(ms(clientTimeout)).append('\n')
        .append("    timeout server ").append(ms(serverTimeout)).append('\n')
        .append("    timeout http-request ").append(ms(httpRequestTimeout)).append('\n')
        .append("    timeout http-keep-alive ").append(ms(httpRequestTimeout)).append('\n');
  }

  private void frontend(StringBuilder out, Topology topology, Path mapDir) {
    RoomKeyRules rules = topology.roomKeys();
    String signalling = rules.signallingPaths().stream().map(HaproxyConfig::literalRegex)
        .collect(Collectors.joining("|"));
    String signallingEnds = rules.signallingPaths().stream().map(p -> "/" + p).collect(Collectors.joining(" "));
    String reserved = rules.reservedNames().stream().sorted().map(n -> "/" + n).collect(Collectors.joining(" "));
    String staticDirs = rules.staticDirectories().stream().sorted().map(d -> "/" + d + "/")
        .collect(Collectors.joining(" "));
    out.append("\nfrontend ").append(FRONTEND).append('\n')
        .append("    mode http\n");
    for (Bind bind : binds) {
      out.append("    bind ").append(bind.address());
      bind.certificate().ifPresent(c -> out.append(" ssl crt ").append(c).append(" alpn h2,http/1.1"));
      out.append('\n');
    }
    out.append("    option forwardfor\n")
        // After a reload the old worker answers the next request of an idle keep-alive connection
        // with "Connection: close" instead of closing it under the client (measured on 2.6.12:
        // 0 failed requests over 20 reloads instead of 17 empty replies).
        .append("    option idle-close-on-response\n")
        .append("    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n")
        .append("    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n")
        .append("    # Room keys: the routing contract of io.bridgekeeper.routing.RoomKeyRules.\n")
        // path_end is a string compare; the regex that confirms at most one tenant segment runs
        // only when it matched. Within bk_page (one or two segments) path_end alone decides.
        .append("    acl bk_sig_end path_end ").append(signallingEnds).append('\n')
        .append("    acl bk_signalling path_reg ^(/[^/]+)?/(").append(signalling).append(")$\n")
        .append("    acl bk_page path_reg ^/([^/.]+/)?[^/.]+$\n");
    out.append("    acl bk_static_dir ").append(staticDirs.isEmpty() ? "always_false" : "path_beg " + staticDirs).append('\n');
    out.append("    acl bk_reserved ").append(reserved.isEmpty() ? "always_false" : "path_end " + reserved).append('\n');
    // Every rule costs on each request (measured: benchmarks/README.md), so conditions test cheap
    // variable lookups first, combine with "||", and the key is the only variable.
    String signallingRequest = "bk_sig_end bk_signalling";
    String pageRequest = "bk_page !bk_static_dir !bk_reserved !bk_sig_end";
    String var = rules.tenantInKey() ? "txn.bk_room" : "txn.bk_key";
    out.append("    http-request set-var(").append(var).append(") url_param(room),url_dec,lower if ")
        .append(signallingRequest).append('\n')
        .append("    http-request set-var(").append(var).append(") path,field(-1,/),url_dec,lower if !{ var(")
        .append(var).append(") -m found } ").append(pageRequest).append('\n');
    if (rules.tenantInKey()) {
      String room = "{ var(txn.bk_room) -m len gt 0 }";
      out.append("    acl bk_tenanted path_reg ^/[^/]+/(").append(signalling).append(")$\n")
          .append("    acl bk_page_tenanted path_reg ^/[^/.]+/[^/.]+$\n")
          .append("    http-request set-var(txn.bk_tenant) path,field(2,/),url_dec,lower if ")
          .append(room).append(" bk_sig_end bk_tenanted || ").append(room).append(" !bk_sig_end bk_page_tenanted\n")
          .append("    http-request set-var(txn.bk_key) var(txn.bk_tenant),concat(/,txn.bk_room,) if { var(txn.bk_tenant) -m found }\n")
          .append("    http-request set-var(txn.bk_key) var(txn.bk_room) if ")
          .append(room).append(" bk_sig_end !bk_tenanted || ").append(room).append(" !bk_sig_end !bk_page_tenanted\n");
    }
    String noKey = "!{ var(txn.bk_key) -m len gt 0 }";
    String pins = mapDir.resolve(HaproxyMaps.PINS_MAP).toString();
    out.append("    acl bk_bad_key var(txn.bk_key) -m len gt ").append(rules.maxKeyBytes()).append('\n')
        // [[:cntrl:]] is bytes 0x00-0x1F and 0x7F (PCRE without UTF mode); NUL included.
        .append("    acl bk_bad_key var(txn.bk_key) -m reg [[:cntrl:]]\n")
        .append("    http-request return status 400 content-type text/plain string \"missing or malformed room\\n\" if ")
        .append(noKey).append(' ').append(signallingRequest).append(" || ").append(noKey).append(' ')
        .append(pageRequest).append('\n')
        .append("    http-request return status 400 content-type text/plain string \"room name too long or with control characters\\n\" if bk_bad_key\n")
        .append("    use_backend %[var(txn.bk_key),hex,map_str(").append(pins).append(")] if { var(txn.bk_key),hex,map_str(")
        .append(pins).append(") -m found }\n")
        // A bucket no shard owns (every shard down or draining) names the backend that answers 503.
        .append("    use_backend %[var(txn.bk_key),crc32,mod(").append(topology.bucketCount()).append("),map_str(")
        .append(mapDir.resolve(HaproxyMaps.BUCKETS_MAP)).append(',').append(NO_SHARD_BACKEND)
        .append(")] if { var(txn.bk_key) -m len gt 0 }\n")
        .append("    default_backend ").append(staticBackend).append('\n');
    out.append("\nbackend ").append(NO_SHARD_BACKEND).append('\n')
        .append("    mode http\n")
        .append("    http-request return status 503 content-type text/plain string \"no shard available for this room\\n\"\n");
  }

  private void shardBackend(StringBuilder out, Shard shard) {
    out.append("\nbackend ").append(shard.backend()).append('\n')
        .append("    mode http\n")
        // An established XMPP WebSocket lives for the whole meeting.
        .append("    timeout tunnel ").append(ms(tunnelTimeout)).append('\n');
    checks(out);
    if (shard.address().isEmpty()) {
      out.append("    # shard ").append(shard.id()).append(" has no address: requests for its rooms get 503\n");
    } else {
      server(out, shard.id(), shard.address());
    }
  }

  private void staticBackend(StringBuilder out, Topology topology) {
    out.append("\nbackend ").append(staticBackend).append('\n')
        .append("    mode http\n")
        .append("    balance roundrobin\n");
    checks(out);
    if (!staticServers.isEmpty()) {
      for (int i = 0; i < staticServers.size(); i++) {
        server(out, "static" + (i + 1), staticServers.get(i));
      }
    } else {
      // Every shard serves the web app: static files come from any of them.
      topology.shards().stream().filter(s -> !s.address().isEmpty())
          .forEach(s -> server(out, s.id(), s.address()));
    }
  }

  private void checks(StringBuilder out) {
    out.append("    option httpchk GET ").append(healthCheckPath).append('\n')
        .append("    http-check expect status 200\n");
  }

  private void server(StringBuilder out, String name, String address) {
    boolean hasPort = address.startsWith("[") ? address.contains("]:") : address.contains(":");
    out.append("    server ").append(name).append(' ').append(address);
    if (!hasPort) {
      out.append(serverTls == ServerTls.PLAIN ? ":80" : ":443");
    }
    out.append(" check inter ").append(ms(checkInterval)).append(" fall ").append(checkFall)
        .append(" rise ").append(checkRise)
        // An unresolvable host must not stop HAProxy from starting; it stays down until it resolves.
        .append(" init-addr last,libc,none");
    if (agentPort > 0) {
      // jitsi/signal-sidecar answers "<up|down> <ready|drain|maint> <weight%>" on this port.
      out.append(" agent-check agent-port ").append(agentPort).append(" agent-inter ").append(ms(checkInterval));
    }
    switch (serverTls) {
      case PLAIN -> { }
      case VERIFY -> out.append(" ssl verify required ca-file ").append(caFile.orElseThrow());
      case NO_VERIFY -> out.append(" ssl verify none");
    }
    out.append('\n');
  }

  private void checkNames(Topology topology) {
    Set<String> seen = new LinkedHashSet<>();
    for (Shard s : topology.shards()) {
      if (!seen.add(s.backend())) {
        throw new HaproxyConfigException("two shards use backend '" + s.backend() + "'");
      }
      if (s.backend().equals(staticBackend) || s.backend().equals(FRONTEND) || s.backend().equals(NO_SHARD_BACKEND)
          || s.backend().startsWith(FINGERPRINT_BACKEND_PREFIX)) {
        throw new HaproxyConfigException("shard " + s.id() + ": backend name '" + s.backend()
            + "' is taken by the generated " + (s.backend().equals(FRONTEND) ? "frontend" : "configuration"));
      }
    }
  }

  /**
   * Validates, then writes the configuration and both maps for {@code table} into {@code dir}
   * atomically: maps first, then the configuration. Validation renders everything in memory,
   * checks that every map value names a declared backend, and runs {@code haproxy -c} on a staged
   * copy when HAProxy is installed ({@link HaproxyBinary#locate()}). Nothing is written when any
   * check fails.
   *
   * @return the path of the configuration file written
   * @throws HaproxyConfigException naming the problem, before anything is written
   */
  public Path write(RoutingTable table, Path dir) throws IOException {
    return write(table, dir, HaproxyBinary.locate());
  }

  /**
   * Like {@link #write(RoutingTable, Path)}, with {@code haproxy -c} run by {@code haproxyBinary},
   * or not at all when it is empty (the maps are still checked against the backends).
   */
  public Path write(RoutingTable table, Path dir, Optional<Path> haproxyBinary) throws IOException {
    String config = render(table.topology());
    HaproxyMaps.Rendered maps = HaproxyMaps.Rendered.of(table, declaredBackends(table.topology()));
    if (haproxyBinary.isPresent()) {
      check(haproxyBinary.get(), table, maps);
    }
    maps.writeTo(dir);
    Path target = dir.resolve(fileName());
    AtomicFiles.write(target, config);
    return target;
  }

  /** {@code haproxy -c} on a staged copy whose map paths point at a temporary directory. */
  void check(Path binary, RoutingTable table, HaproxyMaps.Rendered maps) throws IOException {
    Path stage = Files.createTempDirectory("bridgekeeper-haproxy-check");
    try {
      maps.writeTo(stage);
      String staged = render(table.topology(), stage);
      if (fragment) {
        staged = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
            + staged;
      }
      Path cfg = stage.resolve(fileName());
      Files.writeString(cfg, staged);
      HaproxyBinary.check(binary, cfg);
    } finally {
      try (var files = Files.list(stage)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(stage);
    }
  }

  private static String literalRegex(String s) {
    // Names are [A-Za-z0-9_.~/-]: only '.' is special in a regex, and a class avoids HAProxy's own
    // backslash escaping in the configuration file.
    return s.replace(".", "[.]");
  }

  private static String ms(Duration d) {
    return d.toMillis() + "ms";
  }

  private static Path safePath(String what, Path p) {
    Objects.requireNonNull(p, what);
    String s = p.toAbsolutePath().normalize().toString();
    if (!SAFE_PATH.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " '" + printable(s)
          + "' must be a path of [A-Za-z0-9_./@+=-] (no spaces, quotes or newlines in a configuration line)");
    }
    return Path.of(s);
  }

  private static String token(String what, String s) {
    if (s == null || !TOKEN.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " '" + printable(s) + "' must be 1-127 characters of [A-Za-z0-9_.:-]");
    }
    return s;
  }

  private static int positive(String what, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be positive, was " + v);
    }
    return v;
  }

  private static Duration positive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
      throw new IllegalArgumentException(what + " must be at least 1 ms, was " + d);
    }
    return d;
  }

  private static String printable(String s) {
    return io.bridgekeeper.routing.internal.Printable.of(s, 60);
  }

  /** Options of the generated configuration; {@link #build()} checks them all. */
  public static final class Builder {
    private boolean fragment;
    private final List<Bind> binds = new ArrayList<>();
    private Path mapDirectory = DEFAULT_MAP_DIRECTORY;
    private Optional<Path> statsSocket = Optional.of(Path.of("/run/haproxy/admin.sock"));
    private boolean masterWorker = true;
    private java.util.OptionalInt maxConnections = java.util.OptionalInt.empty();
    private Optional<String> logTarget = Optional.of("/dev/log");
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration clientTimeout = Duration.ofSeconds(60);
    private Duration serverTimeout = Duration.ofSeconds(60);
    private Duration tunnelTimeout = Duration.ofHours(1);
    private Duration httpRequestTimeout = Duration.ofSeconds(10);
    private Duration hardStopAfter = Duration.ofMinutes(15);
    // jitsi/infra-configuration defaults/main.yml: haproxy_check_interval 10s, fall 2, rise 3.
    private String healthCheckPath = "/";
    private Duration checkInterval = Duration.ofSeconds(10);
    private int checkFall = 2;
    private int checkRise = 3;
    private int agentPort;
    private ServerTls serverTls = ServerTls.PLAIN;
    private Optional<Path> caFile = Optional.empty();
    private String staticBackend = DEFAULT_STATIC_BACKEND;
    private final List<String> staticServers = new ArrayList<>();

    private Builder() {}

    /** Render only the frontend and backends, for inclusion after the operator's own sections. */
    public Builder fragment(boolean fragment) {
      this.fragment = fragment;
      return this;
    }

    /** Listen on {@code address} ({@code host:port}, {@code *:port}) in plain HTTP; default {@code *:80}. */
    public Builder bind(String address) {
      binds.add(new Bind(address, Optional.empty()));
      return this;
    }

    /** Listen on {@code address} and terminate TLS with the PEM (certificate and key) at {@code certificate}. */
    public Builder bindTls(String address, Path certificate) {
      binds.add(new Bind(address, Optional.of(certificate)));
      return this;
    }

    public Builder mapDirectory(Path mapDirectory) {
      this.mapDirectory = mapDirectory;
      return this;
    }

    /** The runtime-API socket ({@code level admin}); empty for none. Default {@code /run/haproxy/admin.sock}. */
    public Builder statsSocket(Optional<Path> statsSocket) {
      this.statsSocket = Objects.requireNonNull(statsSocket, "statsSocket");
      return this;
    }

    /** Master-worker mode (default on): the mode hitless reloads need. */
    public Builder masterWorker(boolean masterWorker) {
      this.masterWorker = masterWorker;
      return this;
    }

    /** Global {@code maxconn}; by default HAProxy derives it from the file-descriptor limit. */
    public Builder maxConnections(int maxConnections) {
      this.maxConnections = java.util.OptionalInt.of(maxConnections);
      return this;
    }

    /** Syslog target ({@code /dev/log} by default); empty for no logging. */
    public Builder logTarget(Optional<String> logTarget) {
      this.logTarget = Objects.requireNonNull(logTarget, "logTarget");
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    public Builder clientTimeout(Duration d) {
      this.clientTimeout = d;
      return this;
    }

    public Builder serverTimeout(Duration d) {
      this.serverTimeout = d;
      return this;
    }

    /** How long an idle WebSocket may stay open (default 1 h). */
    public Builder tunnelTimeout(Duration d) {
      this.tunnelTimeout = d;
      return this;
    }

    /**
     * How long an old worker may keep connections (WebSockets) after a reload (default 15 min);
     * jitsi-meet reconnects a closed XMPP WebSocket and resumes its session.
     */
    public Builder hardStopAfter(Duration d) {
      this.hardStopAfter = d;
      return this;
    }

    public Builder httpRequestTimeout(Duration d) {
      this.httpRequestTimeout = d;
      return this;
    }

    /** Path of the HTTP health check every server gets (default {@code /}). */
    public Builder healthCheckPath(String path) {
      this.healthCheckPath = Objects.requireNonNull(path, "healthCheckPath");
      return this;
    }

    /** Health-check interval, failures before down, successes before up (default 10 s, 2, 3). */
    public Builder healthCheck(Duration interval, int fall, int rise) {
      this.checkInterval = interval;
      this.checkFall = fall;
      this.checkRise = rise;
      return this;
    }

    /** Also run HAProxy's agent check on this port (jitsi/signal-sidecar uses 6060); 0 for none. */
    public Builder agentPort(int port) {
      this.agentPort = port;
      return this;
    }

    public Builder serverTls(ServerTls serverTls) {
      this.serverTls = serverTls;
      return this;
    }

    /** CA bundle for {@link ServerTls#VERIFY}. */
    public Builder caFile(Path caFile) {
      this.caFile = Optional.of(caFile);
      return this;
    }

    public Builder staticBackend(String name) {
      this.staticBackend = name;
      return this;
    }

    /** Servers of the static backend; by default every shard with an address serves static files. */
    public Builder staticServer(String address) {
      staticServers.add(Objects.requireNonNull(address, "static server"));
      return this;
    }

    /** @throws IllegalArgumentException naming the first bad option */
    public HaproxyConfig build() {
      return new HaproxyConfig(this);
    }
  }
}
