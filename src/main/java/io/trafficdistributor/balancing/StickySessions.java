package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.Predicate;

/**
 * STICKY_SESSIONS: a pinned client keeps its backend while that backend is a candidate, whatever its weight
 * (weight 0 drains: no new clients, pinned ones stay). A new client, or one whose backend is gone or
 * unavailable, is assigned by weight.
 */
public final class StickySessions implements Balancer {

    private final SmoothWeightedRoundRobin newClients;

    public StickySessions(int backendCount) {
        this.newClients = new SmoothWeightedRoundRobin(backendCount);
    }

    @Override
    public <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        if (affinity != null && candidates.contains(affinity)) {
            return affinity;
        }
        return newClients.pick(candidates, null);
    }

    /** The shares of new clients, by weight among the available backends; pinned clients stay where they are. */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        return newClients.shares(backends, available);
    }
}
