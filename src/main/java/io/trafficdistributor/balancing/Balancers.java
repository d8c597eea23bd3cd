package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.LongSupplier;

import io.trafficdistributor.domain.RoutingMethod;

/** The balancer of each routing method. */
public final class Balancers {

    private Balancers() {
    }

    public static Balancer forMethod(RoutingMethod method, List<? extends BalancedBackend> backends) {
        return forMethod(method, backends, SlowStart.OFF, System::nanoTime);
    }

    /** @param clock {@link System#nanoTime()} but in tests: what slow start measures a ramp with */
    public static Balancer forMethod(RoutingMethod method, List<? extends BalancedBackend> backends, SlowStart slowStart,
            LongSupplier clock) {
        return switch (method) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin(backends.size(), slowStart, clock);
            case STICKY_SESSIONS -> new StickySessions(backends.size(), slowStart, clock);
            case FAILOVER -> new Failover(backends.size(), slowStart, clock);
        };
    }
}
