/**
 * HAProxy adapter: renders what HAProxy needs to route exactly as the Java router does.
 *
 * <p>Entry point: {@link io.bridgekeeper.haproxy.HaproxyMaps}. Everything here is stateless and
 * thread-safe; file writes are atomic (temporary file, fsync, rename).
 */
package io.bridgekeeper.haproxy;
