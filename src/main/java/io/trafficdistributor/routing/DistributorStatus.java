package io.trafficdistributor.routing;

import java.time.OffsetDateTime;
import java.util.List;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.service.AcmeStatus;

/**
 * The live view of a distributor: which backend takes what share of new traffic, and its health; and where its ACME
 * certificate stands ({@code tls}, null when it does not use ACME).
 */
public record DistributorStatus(String name, RoutingMethod routing, boolean enabled, String activeBackend,
        List<BackendStatus> backends, AcmeStatus tls) {

    public record BackendStatus(String name, String url, int weight, double share, BackendHealth.Status health,
            OffsetDateTime lastCheckAt, Long lastLatencyMillis, String lastError,
            int consecutiveSuccesses, int consecutiveFailures) {
    }
}
