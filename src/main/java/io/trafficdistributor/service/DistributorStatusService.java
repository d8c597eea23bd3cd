package io.trafficdistributor.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.service.DistributorStatus.BackendStatus;
import io.trafficdistributor.service.DistributorStatus.Health;

/** Builds the status view of a distributor: each backend's share of new traffic and its health. */
@ApplicationScoped
public class DistributorStatusService {

    @Inject
    DistributorService distributors;

    public DistributorStatus status(String name) {
        DistributorDocument distributor = distributors.get(name).orElseThrow(() -> DistributorService.notFound(name));
        List<BackendDocument> backends = distributor.backends();
        String active = distributor.routing() == RoutingMethod.FAILOVER ? backends.get(0).name() : null;
        long totalWeight = backends.stream().mapToLong(BackendDocument::weight).sum();
        List<BackendStatus> views = backends.stream().map(b -> new BackendStatus(b.name(), b.url(), b.weight(),
                share(distributor.routing(), b, active, totalWeight), Health.UNKNOWN, null, null, null, 0, 0)).toList();
        return new DistributorStatus(distributor.name(), distributor.routing(), distributor.enabled(), active, views);
    }

    private static double share(RoutingMethod routing, BackendDocument backend, String active, long totalWeight) {
        if (routing == RoutingMethod.FAILOVER) {
            return backend.name().equals(active) ? 100.0 : 0.0;
        }
        return totalWeight == 0 ? 0.0 : Math.round(backend.weight() * 1000.0 / totalWeight) / 10.0;
    }
}
