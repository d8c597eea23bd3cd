package io.trafficdistributor.health;

import io.vertx.core.net.SocketAddress;

/** Where a backend's probes go: its address, the Host they name, TLS or not, and its base path. */
public record ProbeTarget(SocketAddress address, String host, int port, boolean https, String basePath) {
}
