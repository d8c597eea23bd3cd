package io.trafficdistributor.routing;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.routing.DistributorStatus.BackendStatus;
import io.trafficdistributor.service.DistributorService;

/** The live view of a distributor as this instance's proxy routes it now: shares after health, and health. */
@ApplicationScoped
public class StatusViews {

    @Inject
    Routes routes;

    @Inject
    DistributorService distributors;

    public DistributorStatus status(String name) {
        CompiledDistributor distributor = routes.table().byName(name);
        if (distributor == null) {
            // Stored but not (yet) in this instance's table, e.g. written by another replica a moment ago.
            distributors.get(name).ifPresent(d -> routes.apply(name, d));
            distributor = routes.table().byName(name);
            if (distributor == null) {
                throw DistributorService.notFound(name);
            }
        }
        List<CompiledBackend> backends = distributor.backends();
        List<CompiledBackend> available = backends.stream().filter(b -> b.health().available()).toList();
        // With every backend DOWN the proxy still tries them in list order: the first one gets new traffic.
        List<CompiledBackend> eligible = available.isEmpty() ? List.of(backends.get(0)) : available;
        CompiledBackend active = distributor.routing() == RoutingMethod.FAILOVER ? eligible.get(0) : null;
        long totalWeight = eligible.stream().mapToLong(CompiledBackend::weight).sum();
        List<BackendStatus> views = new ArrayList<>();
        for (CompiledBackend backend : backends) {
            double share;
            if (!eligible.contains(backend)) {
                share = 0;
            } else if (distributor.routing() == RoutingMethod.FAILOVER) {
                share = backend == active ? 100 : 0;
            } else if (totalWeight == 0) {
                share = backend == eligible.get(0) ? 100 : 0;
            } else {
                share = Math.round(backend.weight() * 1000.0 / totalWeight) / 10.0;
            }
            BackendHealth health = backend.health();
            views.add(new BackendStatus(backend.name(), backend.url(), backend.weight(), share, health.status(),
                    health.lastCheckAt() == 0 ? null : OffsetDateTime.ofInstant(Instant.ofEpochMilli(health.lastCheckAt()), ZoneOffset.UTC),
                    health.lastLatencyMillis(), health.lastError(), health.consecutiveSuccesses(),
                    health.consecutiveFailures()));
        }
        return new DistributorStatus(distributor.name(), distributor.routing(), distributor.enabled(),
                active == null ? null : active.name(), views);
    }
}
