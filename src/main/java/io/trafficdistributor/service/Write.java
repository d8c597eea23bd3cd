package io.trafficdistributor.service;

/** The result of a write: the stored document, and whether the write created it. */
public record Write(DistributorDocument distributor, boolean created) {
}
