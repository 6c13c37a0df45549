/**
 * Internals of routing: the request-target scanner, room-name normalisation and fixed hashes.
 * Not API: may change in any release.
 *
 * <p>Entry point: {@link io.bridgekeeper.routing.internal.RequestTargetScanner}. Everything here
 * is stateless or immutable and thread-safe; scanners write only into buffers their callers own.
 */
package io.bridgekeeper.routing.internal;
