package io.trafficdistributor.proxy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.proxy.DistributorTraffic.BackendTraffic;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.StatusViews;

/** The traffic view of a distributor: {@link RequestHistory}'s buckets and the health transitions, per backend. */
@ApplicationScoped
public class TrafficViews {

    @Inject
    StatusViews statuses;

    @Inject
    RequestHistory history;

    @Inject
    HealthRegistry health;

    public DistributorTraffic traffic(String name) {
        List<String> backends = statuses.routed(name).backends().stream().map(CompiledBackend::name).toList();
        List<BackendTraffic> views = backends.stream()
                .map(backend -> new BackendTraffic(backend, history.requestsPerSecond(name, backend),
                        health.recentTransitions(name, backend)))
                .toList();
        OffsetDateTime until = OffsetDateTime.ofInstant(Instant.ofEpochMilli(history.sampledAtMillis()), ZoneOffset.UTC);
        return new DistributorTraffic(name, RequestHistory.BUCKET_SECONDS, until, views);
    }
}
