package io.trafficdistributor.service;

import java.util.UUID;

/**
 * Which version of a distributor the database holds: what a reconcile compares with the routing table to find the
 * few distributors it must read again, without reading all of them.
 */
public record StoredVersion(String name, UUID id, long version) {
}
