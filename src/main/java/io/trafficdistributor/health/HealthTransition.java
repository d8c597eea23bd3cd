package io.trafficdistributor.health;

import java.time.Instant;

/**
 * One health transition of a distributor's backend, as the console shows it: when, from what, to what, and why.
 * An {@link Instant} (one small object, where an offset date-time is four): a restart over one server records one
 * for each of its distributor backends.
 */
public record HealthTransition(Instant at, BackendHealth.Status from, BackendHealth.Status to, String reason) {
}
