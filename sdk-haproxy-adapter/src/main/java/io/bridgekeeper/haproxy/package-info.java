/**
 * HAProxy adapter: everything HAProxy needs to route exactly as the Java router does.
 *
 * <p>Entry points: {@link io.bridgekeeper.haproxy.HaproxyConfig} (the configuration and both maps
 * for a topology, checked with {@code haproxy -c}), {@link io.bridgekeeper.haproxy.HaproxySync}
 * (keeps running HAProxies at a routing table: map swaps over the runtime API, hitless reloads
 * through {@link io.bridgekeeper.haproxy.HaproxyMaster} when shards come or go), and
 * {@link io.bridgekeeper.haproxy.HaproxyMaps} / {@link io.bridgekeeper.haproxy.HaproxyRuntimeApi}
 * for operators who keep their own configuration.
 *
 * <p>Thread safety: configurations, maps and runtime-API clients are immutable or stateless and
 * thread-safe; file writes are atomic (temporary file, fsync, rename). {@code HaproxySync.push}
 * expects its callers to serialise pushes (a {@code Router} listener does).
 */
package io.bridgekeeper.haproxy;
