package io.trafficdistributor.domain;

/** How a distributor picks a backend for a request. */
public enum RoutingMethod {
    /** Smooth weighted round robin by the backends' weights. */
    ROUND_ROBIN,
    /** New clients by weight, then pinned to their backend by a cookie. */
    STICKY_SESSIONS,
    /** List order is priority: the first available backend takes everything. */
    FAILOVER
}
