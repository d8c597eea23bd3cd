package io.trafficdistributor.health;

import io.vertx.core.Future;

/**
 * One type of active health check (HTTP, TCP): checks a backend once. When to check, and what a result means
 * for its health, are the {@link Prober}'s and the {@link HealthState}'s business.
 */
interface BackendCheck {

    /**
     * Checks the target once; never takes longer than the settings' timeout.
     *
     * @return succeeds when the check passed, fails with why not (a short text for the status view)
     */
    Future<Void> check(ProbeTarget target, ProbeSettings settings);
}
