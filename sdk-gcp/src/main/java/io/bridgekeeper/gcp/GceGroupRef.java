package io.bridgekeeper.gcp;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which managed instance group: a project, a zone (zonal group) or a region (regional group), and
 * the group's name.
 *
 * @param project the project id
 * @param scope zonal or regional
 * @param location the zone ({@code europe-west1-b}) or the region ({@code europe-west1})
 * @param name the instance group manager's name
 */
public record GceGroupRef(String project, Scope scope, String location, String name) {
  /** Where the group lives. */
  public enum Scope {
    /** A zonal group ({@code zones/Z}); its instances are all in that zone. */
    ZONAL,
    /** A regional group ({@code regions/R}); its instances are spread over the region's zones. */
    REGIONAL
  }

  // Project ids: 6-30 characters, lowercase letters, digits, hyphens, starting with a letter;
  // older projects may carry a domain prefix ("example.com:proj").
  private static final Pattern PROJECT = Pattern.compile("([a-z][-a-z0-9.]*[a-z0-9]:)?[a-z][-a-z0-9]{4,28}[a-z0-9]");
  private static final Pattern ZONE = Pattern.compile("[a-z]+(-[a-z0-9]+)+-[a-z]");
  private static final Pattern REGION = Pattern.compile("[a-z]+(-[a-z0-9]+)+[0-9]");
  // RFC 1035 names, as GCE requires for resource names.
  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern PATH = Pattern.compile(
      "(?:https://[^/]+/compute/v1/)?projects/([^/]+)/(zones|regions)/([^/]+)/instanceGroupManagers/([^/]+)");

  public GceGroupRef {
    Objects.requireNonNull(scope, "scope");
    check("project", project, PROJECT);
    check(scope == Scope.ZONAL ? "zone" : "region", location, scope == Scope.ZONAL ? ZONE : REGION);
    check("group name", name, NAME);
  }

  /** A zonal group. */
  public static GceGroupRef zonal(String project, String zone, String name) {
    return new GceGroupRef(project, Scope.ZONAL, zone, name);
  }

  /** A regional group. */
  public static GceGroupRef regional(String project, String region, String name) {
    return new GceGroupRef(project, Scope.REGIONAL, region, name);
  }

  /**
   * Parses {@code projects/P/zones/Z/instanceGroupManagers/G} or {@code .../regions/R/...}, also as
   * a full {@code https://.../compute/v1/...} URL (as {@code gcloud ... --format='value(selfLink)'}
   * prints it).
   */
  public static GceGroupRef parse(String path) {
    Objects.requireNonNull(path, "path");
    Matcher m = PATH.matcher(path.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an instance group path: '" + path
          + "' (expected projects/P/zones/Z/instanceGroupManagers/G or projects/P/regions/R/instanceGroupManagers/G)");
    }
    return new GceGroupRef(m.group(1), m.group(2).equals("zones") ? Scope.ZONAL : Scope.REGIONAL, m.group(3),
        m.group(4));
  }

  /** {@code projects/P/zones/Z/instanceGroupManagers/G} (or {@code regions/R}). */
  public String path() {
    return "projects/" + project + "/" + locationPath() + "/instanceGroupManagers/" + name;
  }

  /** {@code zones/Z} or {@code regions/R}. */
  public String locationPath() {
    return (scope == Scope.ZONAL ? "zones/" : "regions/") + location;
  }

  @Override
  public String toString() {
    return path();
  }

  private static void check(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + " '" + value + "'");
    }
  }
}
