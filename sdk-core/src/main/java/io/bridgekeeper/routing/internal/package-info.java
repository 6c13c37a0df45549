/**
 * Internals of routing: the request-target scanner, room-name normalisation, fixed hashes, and
 * the atomic file writer the SDK modules share. Not API: may change in any release.
 *
 * <p>Entry point: {@link io.bridgekeeper.routing.internal.RequestTargetScanner}. Everything here
 * is stateless or immutable and thread-safe; scanners write only into buffers their callers own.
 */
package io.bridgekeeper.routing.internal;
