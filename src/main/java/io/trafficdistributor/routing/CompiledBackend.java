package io.trafficdistributor.routing;

import java.net.URI;

import io.trafficdistributor.balancing.BalancedBackend;
import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.health.ProbeTarget;
import io.vertx.core.net.SocketAddress;

/**
 * A backend ready for traffic: its address parsed once, its sticky token derived once, its health tracked.
 *
 * @param index       position in the distributor's list (the failover priority)
 * @param target      where it points, parsed from its URL; one instance for every probed backend with that URL and
 *                    health check (the one their shared health state holds), not a copy per distributor
 * @param stickyToken the opaque cookie value that pins a client to this backend ({@link StickyTokens}): keyed by
 *                    the cluster secret, so it holds no address, cannot be forged, and is the same on every replica
 *                    and after restarts; null unless its distributor uses sticky sessions
 * @param rampFrom    when a change of the distributor started this backend's slow-start ramp ({@link System#nanoTime()}),
 *                    or {@link SlowStart#ALWAYS}: see {@link RampStarts}
 */
public record CompiledBackend(int index, String name, int weight, ProbeTarget target, String stickyToken,
        BackendHealth health, long rampFrom) implements BalancedBackend {

    public String url() {
        return target.url();
    }

    public boolean https() {
        return target.https();
    }

    public String host() {
        return target.host();
    }

    public int port() {
        return target.port();
    }

    public String basePath() {
        return target.basePath();
    }

    public SocketAddress address() {
        return target.address();
    }

    /**
     * Where its slow-start ramp starts: the later of a change that started one and its server's last recovery from
     * DOWN. Both are {@code Long.MIN_VALUE} for none, so a backend that never ramped stays {@link SlowStart#ALWAYS}.
     */
    @Override
    public long availableSince() {
        return Math.max(rampFrom, health.availableSince());
    }

    /**
     * Where a backend URL (validated by the API) points: what traffic and probes alike connect to. A URL without
     * a port takes the scheme's; a base path loses its trailing slash.
     */
    static ProbeTarget target(String url) {
        URI uri = URI.create(url);
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        // An IPv6 literal comes back in brackets from URI; the socket address wants it bare.
        String socketHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return new ProbeTarget(url, SocketAddress.inetSocketAddress(port, socketHost), socketHost, port, https, basePath);
    }

    /** The path to send to this backend for a client's request URI (base path prefixed). */
    public String uriFor(String requestUri) {
        String basePath = target.basePath();
        return basePath.isEmpty() ? requestUri : basePath + requestUri;
    }
}
