package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.Predicate;

/**
 * FAILOVER: list order is priority, so the first candidate takes everything. When a higher-priority backend
 * becomes a candidate again, it is first again: fail-back needs no state. Weights are ignored.
 */
public final class Failover implements Balancer {

    public static final Failover INSTANCE = new Failover();

    private Failover() {
    }

    @Override
    public <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        return candidates.get(0);
    }

    /** All to the first available backend. */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        return Shares.allTo(backends.size(), Shares.firstAvailable(backends, available));
    }
}
