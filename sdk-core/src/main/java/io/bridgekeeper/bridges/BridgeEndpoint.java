package io.bridgekeeper.bridges;

import java.net.URI;
import java.util.Objects;

/**
 * Where a bridge's private REST interface answers ({@code http://host:8080} by default in
 * jitsi-videobridge, {@code videobridge.http-servers.private}).
 *
 * @param bridgeId the bridge's id in the pool (its MUC nickname)
 * @param baseUri scheme, host and port, optionally a path prefix; no query
 */
public record BridgeEndpoint(String bridgeId, URI baseUri) {
  public BridgeEndpoint {
    Objects.requireNonNull(bridgeId, "bridgeId");
    Objects.requireNonNull(baseUri, "baseUri");
    if (bridgeId.isBlank()) {
      throw new IllegalArgumentException("bridge id is blank");
    }
    String scheme = baseUri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || baseUri.getHost() == null
        || baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
      throw new IllegalArgumentException("bridge " + bridgeId + ": REST base URI must be http(s)://host[:port][/path], was "
          + baseUri);
    }
  }

  URI resolve(String path) {
    String base = baseUri.toString();
    return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
  }
}
