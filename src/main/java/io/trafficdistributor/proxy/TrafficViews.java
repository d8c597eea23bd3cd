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
import io.trafficdistributor.routing.CompiledDistributor;
import io.trafficdistributor.routing.Routes;
import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorService;

/** The traffic view of a distributor: {@link RequestHistory}'s buckets and the health transitions, per backend. */
@ApplicationScoped
public class TrafficViews {

    @Inject
    Routes routes;

    @Inject
    DistributorService distributors;

    @Inject
    RequestHistory history;

    @Inject
    HealthRegistry health;

    public DistributorTraffic traffic(String name) {
        CompiledDistributor compiled = routes.table().byName(name);
        // Stored but not (yet) routed here, e.g. written by another replica a moment ago: it has no traffic here yet.
        List<String> backends = compiled != null
                ? compiled.backends().stream().map(CompiledBackend::name).toList()
                : distributors.get(name).orElseThrow(() -> DistributorService.notFound(name))
                        .backends().stream().map(BackendDocument::name).toList();
        List<BackendTraffic> views = backends.stream()
                .map(backend -> new BackendTraffic(backend, history.requestsPerSecond(name, backend),
                        health.recentTransitions(name, backend)))
                .toList();
        OffsetDateTime until = OffsetDateTime.ofInstant(Instant.ofEpochMilli(history.sampledAtMillis()), ZoneOffset.UTC);
        return new DistributorTraffic(name, RequestHistory.BUCKET_SECONDS, until, views);
    }
}
