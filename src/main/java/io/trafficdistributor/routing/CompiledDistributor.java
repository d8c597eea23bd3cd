package io.trafficdistributor.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.trafficdistributor.balancing.Balancer;
import io.trafficdistributor.balancing.Balancers;
import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.domain.RoutingMethod;

/**
 * The immutable runtime form of a distributor, made by {@link DistributorCompiler} from its stored definition:
 * what the proxy reads on every request. Only the balancer inside carries (synchronised) state.
 */
public final class CompiledDistributor {

    private final UUID id;
    private final String name;
    private final long version;
    private final List<String> hostnames;
    private final RoutingMethod routing;
    private final boolean enabled;
    private final boolean passHostHeader;
    private final Timeouts timeouts;
    private final StickyCookie stickySession;
    private final boolean redirectHttp;
    /** The {@code Strict-Transport-Security} value for responses over HTTPS, or null. */
    private final String hsts;
    private final List<CompiledBackend> backends;
    private final Map<String, CompiledBackend> backendsByStickyToken;
    private final SlowStart slowStart;
    private final Balancer balancer;
    /** The proxy's meters for this compiled form, created on first use (see ProxyMetrics). */
    private volatile Object proxyMeters;

    /**
     * @param id       the stored distributor's id: one deleted and created again under the same name has another
     * @param backends in list (priority) order
     */
    CompiledDistributor(UUID id, String name, long version, List<String> hostnames, RoutingMethod routing,
            boolean enabled, boolean passHostHeader, Timeouts timeouts, StickyCookie stickySession,
            List<CompiledBackend> backends, boolean redirectHttp, Integer hstsMaxAgeSeconds, SlowStart slowStart) {
        this.redirectHttp = redirectHttp;
        this.hsts = hstsMaxAgeSeconds == null ? null : "max-age=" + hstsMaxAgeSeconds;
        this.id = id;
        this.name = name;
        this.version = version;
        this.hostnames = List.copyOf(hostnames);
        this.routing = routing;
        this.enabled = enabled;
        this.passHostHeader = passHostHeader;
        this.timeouts = timeouts;
        this.stickySession = stickySession;
        this.backends = List.copyOf(backends);
        Map<String, CompiledBackend> byToken = new HashMap<>();
        backends.forEach(b -> {
            if (b.stickyToken() != null) {
                byToken.put(b.stickyToken(), b);
            }
        });
        this.backendsByStickyToken = Map.copyOf(byToken);
        this.slowStart = slowStart;
        this.balancer = Balancers.forMethod(routing, this.backends, slowStart, System::nanoTime);
    }

    /** The backend of that name, or null. */
    public CompiledBackend backend(String backendName) {
        for (CompiledBackend backend : backends) {
            if (backend.name().equals(backendName)) {
                return backend;
            }
        }
        return null;
    }

    public UUID id() {
        return id;
    }

    public String name() {
        return name;
    }

    public long version() {
        return version;
    }

    /** Exact names and {@code *.} wildcards, lower-case. */
    public List<String> hostnames() {
        return hostnames;
    }

    public RoutingMethod routing() {
        return routing;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean passHostHeader() {
        return passHostHeader;
    }

    /** Whether plain-HTTP requests are answered with a 308 to https://. */
    public boolean redirectHttp() {
        return redirectHttp;
    }

    /** The {@code Strict-Transport-Security} header value for responses over HTTPS, or null for none. */
    public String hsts() {
        return hsts;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public StickyCookie stickySession() {
        return stickySession;
    }

    /** All backends in list (priority) order. */
    public List<CompiledBackend> backends() {
        return backends;
    }

    public Balancer balancer() {
        return balancer;
    }

    public SlowStart slowStart() {
        return slowStart;
    }

    /**
     * Whether {@code backend} is available and ramping up under slow start now: it takes less than its full part,
     * and for FAILOVER shares the traffic with the backend it is taking it back from.
     */
    public boolean rampingUp(CompiledBackend backend) {
        return slowStart.on() && backend.health().available()
                && slowStart.permille(backend.availableSince(), System.nanoTime()) < SlowStart.FULL;
    }

    /**
     * The proxy's per-distributor meters, kept here so a request need not look them up by name; created once
     * (by {@code create}) even when several event loops ask first at the same time, since the meters hold state.
     */
    public Object proxyMeters(Function<CompiledDistributor, Object> create) {
        Object meters = proxyMeters;
        if (meters != null) {
            return meters;
        }
        synchronized (this) {
            if (proxyMeters == null) {
                proxyMeters = create.apply(this);
            }
            return proxyMeters;
        }
    }

    /** The proxy's meters if a request made them, else null. */
    public Object existingProxyMeters() {
        return proxyMeters;
    }

    /** The backend a sticky cookie value names, or null if it names none of this distributor's backends. */
    public CompiledBackend backendForStickyToken(String token) {
        return token == null ? null : backendsByStickyToken.get(token);
    }
}
