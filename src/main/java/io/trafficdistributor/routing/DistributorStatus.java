package io.trafficdistributor.routing;

import java.time.OffsetDateTime;
import java.util.List;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.service.AcmeStatus;

/**
 * The live view of a distributor: which backend takes what share of new traffic, and its health; which certificate
 * an HTTPS handshake for each of its hostnames gets now; and where its ACME certificate stands ({@code tls}, null
 * when it does not use ACME).
 */
public record DistributorStatus(String name, RoutingMethod routing, boolean enabled, String activeBackend,
        List<BackendStatus> backends, List<HostnameCertificate> hostnames, AcmeStatus tls) {

    public record BackendStatus(String name, String url, int weight, double share, BackendHealth.Status health,
            OffsetDateTime lastCheckAt, Long lastLatencyMillis, String lastError,
            int consecutiveSuccesses, int consecutiveFailures) {
    }

    /** A hostname and the certificate a handshake naming it gets now (null: the handshake fails). */
    public record HostnameCertificate(String hostname, String certificate) {
    }
}
