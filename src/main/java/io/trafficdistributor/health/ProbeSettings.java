package io.trafficdistributor.health;

import io.trafficdistributor.domain.HealthCheckType;

/**
 * How the backends of a distributor are probed, and how results become a verdict: the runtime form of its health
 * check, compiled by routing.
 *
 * @param enabled            whether active probes run at all (without, only live traffic judges)
 * @param path               for HTTP, what to GET below the backend's base path
 * @param healthyThreshold   consecutive successes that make a backend UP
 * @param unhealthyThreshold consecutive failures that make it DOWN
 */
public record ProbeSettings(boolean enabled, HealthCheckType type, String path, ExpectedStatuses expectedStatuses,
        int intervalSeconds, int timeoutMillis, int healthyThreshold, int unhealthyThreshold) {

    /** How it names itself in a log line: "HTTP /health" or "TCP". */
    String describe() {
        return type == HealthCheckType.HTTP ? "HTTP " + path : "TCP";
    }
}
