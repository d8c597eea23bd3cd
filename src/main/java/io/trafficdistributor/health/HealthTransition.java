package io.trafficdistributor.health;

import java.time.OffsetDateTime;

/** One health transition of a distributor's backend, as the console shows it: when, from what, to what, and why. */
public record HealthTransition(OffsetDateTime at, BackendHealth.Status from, BackendHealth.Status to, String reason) {
}
