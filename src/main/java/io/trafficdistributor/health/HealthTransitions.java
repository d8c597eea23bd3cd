package io.trafficdistributor.health;

/** Told of every health transition of a backend (metrics count them). */
@FunctionalInterface
interface HealthTransitions {

    void changed(BackendHealth health, BackendHealth.Status from, BackendHealth.Status to, String reason);
}
