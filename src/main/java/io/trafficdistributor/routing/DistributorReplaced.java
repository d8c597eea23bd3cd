package io.trafficdistributor.routing;

/**
 * A compiled distributor left the routing table: replaced by {@code now} (a change, or a reconcile), or deleted when
 * {@code now} is null. A synchronous CDI event fired by {@link Routes}, for what the traffic side keeps per
 * distributor beside the table (the proxy's meters).
 */
public record DistributorReplaced(CompiledDistributor old, CompiledDistributor now) {
}
