package io.trafficdistributor.balancing;

import java.util.List;

/**
 * Picks the backend for one attempt of a request. The candidates are the backends that may take it now
 * (health and earlier attempts already filtered out by the caller), in the distributor's list order; a
 * balancer never sees health.
 */
public interface Balancer {

    /**
     * @param candidates non-empty, in list (priority) order
     * @param affinity   the backend the client is pinned to, or null
     */
    <B extends BalancedBackend> B pick(List<B> candidates, B affinity);
}
