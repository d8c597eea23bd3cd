package io.trafficdistributor.balancing;

import java.util.List;

import io.trafficdistributor.domain.RoutingMethod;

/** The balancer of each routing method. */
public final class Balancers {

    private Balancers() {
    }

    public static Balancer forMethod(RoutingMethod method, List<? extends BalancedBackend> backends) {
        return switch (method) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin(backends.size());
            case STICKY_SESSIONS -> new StickySessions(backends.size());
            case FAILOVER -> Failover.INSTANCE;
        };
    }
}
