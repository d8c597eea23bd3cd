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
import io.trafficdistributor.routing.DistributorStatus.HostnameCertificate;
import io.trafficdistributor.service.AcmeCertificates;
import io.trafficdistributor.service.DistributorService;
import io.trafficdistributor.tls.CertificateStore;

/**
 * The live view of a distributor as this instance's proxy routes it now: each backend's share of new traffic, as
 * its balancer reports it, and health.
 */
@ApplicationScoped
public class StatusViews {

    @Inject
    Routes routes;

    @Inject
    DistributorService distributors;

    @Inject
    AcmeCertificates acme;

    @Inject
    CertificateStore tls;

    public DistributorStatus status(String name) {
        CompiledDistributor distributor = routed(name);
        List<CompiledBackend> backends = distributor.backends();
        double[] shares = distributor.balancer().shares(backends, b -> b.health().available());
        CompiledBackend active = distributor.routing() == RoutingMethod.FAILOVER ? backends.get(largest(shares)) : null;
        List<BackendStatus> views = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            CompiledBackend backend = backends.get(i);
            BackendHealth health = backend.health();
            views.add(new BackendStatus(backend.name(), backend.url(), backend.weight(), percent(shares[i]),
                    health.status(),
                    health.lastCheckAt() == 0 ? null : OffsetDateTime.ofInstant(Instant.ofEpochMilli(health.lastCheckAt()), ZoneOffset.UTC),
                    health.lastLatencyMillis(), health.lastError(), health.consecutiveSuccesses(),
                    health.consecutiveFailures()));
        }
        List<HostnameCertificate> certificates = new ArrayList<>();
        for (String hostname : distributor.hostnames()) {
            // A wildcard hostname gets what a name under it would (a name with a certificate of its own aside).
            certificates.add(new HostnameCertificate(hostname, tls.servingName(hostname)));
        }
        return new DistributorStatus(distributor.name(), distributor.routing(), distributor.enabled(),
                active == null ? null : active.name(), views, certificates, acme.status(name));
    }

    /**
     * The distributor as this instance routes it; one stored but not (yet) in this instance's table, e.g. written by
     * another replica a moment ago, is compiled into it first. Not stored: the API's 404.
     */
    public CompiledDistributor routed(String name) {
        CompiledDistributor distributor = routes.table().byName(name);
        if (distributor == null) {
            distributors.get(name).ifPresent(d -> routes.apply(name, d));
            distributor = routes.table().byName(name);
            if (distributor == null) {
                throw DistributorService.notFound(name);
            }
        }
        return distributor;
    }

    /** A share as the API shows it: percent, one decimal. */
    private static double percent(double share) {
        return Math.round(share * 1000) / 10.0;
    }

    private static int largest(double[] shares) {
        int largest = 0;
        for (int i = 1; i < shares.length; i++) {
            if (shares[i] > shares[largest]) {
                largest = i;
            }
        }
        return largest;
    }
}
