package io.trafficdistributor.proxy;

import java.time.OffsetDateTime;
import java.util.List;

import io.trafficdistributor.health.HealthTransition;

/**
 * A distributor's recent traffic as this process saw it: each backend's requests per second in each of the last
 * buckets (oldest first; the newest ended at {@code until}), and its last health transitions (newest first).
 */
public record DistributorTraffic(String name, int bucketSeconds, OffsetDateTime until, List<BackendTraffic> backends) {

    public record BackendTraffic(String name, double[] requestsPerSecond, List<HealthTransition> transitions) {
    }
}
