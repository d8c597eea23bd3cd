package io.trafficdistributor.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.trafficdistributor.balancing.Balancer;
import io.trafficdistributor.balancing.Balancers;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.health.ExpectedStatuses;
import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.health.ProbeSettings;
import io.trafficdistributor.health.ProbeTarget;
import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.HealthCheckDocument;
import io.trafficdistributor.service.StickySessionDocument;
import io.trafficdistributor.service.TimeoutsDocument;

/**
 * The immutable runtime form of a distributor, compiled from its stored definition: what the proxy reads
 * on every request. Only the balancer inside carries (synchronised) state.
 */
public final class CompiledDistributor {

    private final DistributorDocument definition;
    private final List<CompiledBackend> backends;
    private final Map<String, CompiledBackend> backendsByStickyToken;
    private final Balancer balancer;
    /** The proxy's meters for this compiled form, created on first use (see ProxyMetrics). */
    private volatile Object proxyMeters;

    private CompiledDistributor(DistributorDocument definition, List<CompiledBackend> backends) {
        this.definition = definition;
        this.backends = List.copyOf(backends);
        Map<String, CompiledBackend> byToken = new HashMap<>();
        backends.forEach(b -> byToken.put(b.stickyToken(), b));
        this.backendsByStickyToken = Map.copyOf(byToken);
        this.balancer = Balancers.forMethod(definition.routing(), this.backends);
    }

    /**
     * Compiles a stored distributor and tracks the health of its backends; a backend whose URL and probe settings
     * did not change keeps the health it had.
     */
    public static CompiledDistributor compile(DistributorDocument definition, HealthRegistry health) {
        List<BackendDocument> stored = definition.backends();
        ProbeSettings probe = probeSettings(definition.healthCheck());
        // Every URL parsed before any health is tracked: a failure here leaves health as it was.
        List<ProbeTarget> targets = stored.stream().map(b -> CompiledBackend.target(b.url())).toList();
        List<CompiledBackend> backends = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            BackendDocument b = stored.get(i);
            BackendHealth tracked = health.track(definition.name(), b.name(), targets.get(i), probe, definition.enabled());
            backends.add(new CompiledBackend(i, definition.name(), b.name(), b.weight(), targets.get(i), tracked));
        }
        return new CompiledDistributor(definition, backends);
    }

    private static ProbeSettings probeSettings(HealthCheckDocument check) {
        return new ProbeSettings(check.enabled(), check.type(), check.path(),
                ExpectedStatuses.parse(check.expectedStatuses()), check.intervalSeconds(), check.timeoutMillis(),
                check.healthyThreshold(), check.unhealthyThreshold());
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

    public String name() {
        return definition.name();
    }

    public long version() {
        return definition.version();
    }

    public DistributorDocument definition() {
        return definition;
    }

    public RoutingMethod routing() {
        return definition.routing();
    }

    public boolean enabled() {
        return definition.enabled();
    }

    public boolean passHostHeader() {
        return definition.passHostHeader();
    }

    public TimeoutsDocument timeouts() {
        return definition.timeouts();
    }

    public StickySessionDocument stickySession() {
        return definition.stickySession();
    }

    /** All backends in list (priority) order. */
    public List<CompiledBackend> backends() {
        return backends;
    }

    public Balancer balancer() {
        return balancer;
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

    /** The backend a sticky cookie value names, or null if it names none of this distributor's backends. */
    public CompiledBackend backendForStickyToken(String token) {
        return token == null ? null : backendsByStickyToken.get(token);
    }
}
