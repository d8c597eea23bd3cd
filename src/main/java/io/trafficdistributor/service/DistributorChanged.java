package io.trafficdistributor.service;

/**
 * Fired inside the writing transaction; observers that act on it use
 * {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)}, so they only ever see committed changes.
 * {@code distributor} is the committed state, or null when it was deleted; {@code change} the kind of write the
 * history records it as (null for a delete).
 */
public record DistributorChanged(String name, DistributorDocument distributor, ChangeKind change) {
}
