package io.trafficdistributor.routing;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.health.BackendHealth;

/**
 * Which changes of a distributor start a backend's slow-start ramp (DESIGN §8). The other start, a recovery from
 * DOWN, is health's ({@link BackendHealth#availableSince()}); {@link CompiledBackend#availableSince()} takes the later.
 * <ul>
 * <li>A backend added to a running distributor (a name its previous compiled form did not have) ramps from the
 * change.</li>
 * <li>A backend that was DOWN and that the change gave a fresh health which is available (its URL or health check
 * changed, so it is UNKNOWN again) ramps from the change: traffic comes back to it as after a recovery.</li>
 * <li>A backend the change kept goes on with its ramp, if one is under way: a reconfiguration (a weight, a health
 * check, the routing method, slow start itself) neither restarts nor ends it.</li>
 * <li>Nothing ramps at process start (the table is empty then), in a distributor just created (all its backends
 * start together), or in one deleted and created again under the same name: there is no traffic to take from.</li>
 * </ul>
 */
final class RampStarts {

    private RampStarts() {
    }

    /**
     * @param running whether the distributor was in the table before this change (same id)
     * @param before  the backend of that name in the previous compiled form, or null
     * @param health  the health tracked for it now
     * @param now     {@link System#nanoTime()} of the change
     * @return the backend's {@link CompiledBackend#rampFrom()}
     */
    static long rampFrom(boolean running, CompiledBackend before, BackendHealth health, long now) {
        if (!running) {
            return SlowStart.ALWAYS;
        }
        if (before == null) {
            return now;
        }
        if (before.health() != health && !before.health().available() && health.available()) {
            return now;
        }
        return before.availableSince();
    }
}
