package io.trafficdistributor.health;

import io.vertx.core.net.SocketAddress;

/**
 * Where a backend's probes go: its URL as configured, and parsed from it the address, the Host they name, TLS or
 * not, and the base path.
 */
public record ProbeTarget(String url, SocketAddress address, String host, int port, boolean https, String basePath) {
}
