package io.trafficdistributor.api;

/** The body of {@code POST …/rollback}: the revision to write back. */
public record RollbackRequest(Long version) {
}
