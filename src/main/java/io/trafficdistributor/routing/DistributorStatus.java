package io.trafficdistributor.routing;

import java.time.OffsetDateTime;
import java.util.List;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;

/** The live view of a distributor: which backend takes what share of new traffic, and its health. */
public record DistributorStatus(String name, RoutingMethod routing, boolean enabled, String activeBackend,
        List<BackendStatus> backends) {

    public record BackendStatus(String name, String url, int weight, double share, BackendHealth.Status health,
            OffsetDateTime lastCheckAt, Long lastLatencyMillis, String lastError,
            int consecutiveSuccesses, int consecutiveFailures) {
    }
}
