package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * STICKY_SESSIONS: a pinned client keeps its backend while that backend is a candidate, whatever its weight
 * (weight 0 drains: no new clients, pinned ones stay). A new client, or one whose backend is gone or
 * unavailable, is assigned by effective weight, as ROUND_ROBIN deals requests: a backend ramping up under slow
 * start gets fewer new clients, and keeps the ones it has.
 */
public final class StickySessions implements Balancer {

    private final SmoothWeightedRoundRobin newClients;

    public StickySessions(int backendCount, SlowStart slowStart, LongSupplier clock) {
        this.newClients = new SmoothWeightedRoundRobin(backendCount, slowStart, clock);
    }

    @Override
    public <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        if (affinity != null && candidates.contains(affinity)) {
            return affinity;
        }
        return newClients.pick(candidates, null);
    }

    /** The shares of new clients, by effective weight among the available backends; pinned clients stay where they are. */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        return newClients.shares(backends, available);
    }
}
