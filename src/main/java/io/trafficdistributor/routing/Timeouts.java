package io.trafficdistributor.routing;

/**
 * A distributor's time limits for a proxied request, as the proxy applies them.
 *
 * @param connectMillis  to open a connection to a backend (and to wait for a pooled one)
 * @param responseMillis for a backend's response to start, and between its reads
 * @param attemptMillis  when set, after which an idempotent request without a response head is retried on the
 *                       next backend; null when off
 */
public record Timeouts(int connectMillis, int responseMillis, Integer attemptMillis) {
}
