package io.trafficdistributor.health;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The backends that are probed now: those of enabled distributors whose health check is on. The routing
 * layer registers them as it compiles distributors and withdraws them when a distributor changes or goes.
 */
@ApplicationScoped
public class HealthRegistry implements HealthTransitions {

    private final Set<BackendHealth> probed = ConcurrentHashMap.newKeySet();
    private volatile HealthTransitions listener = HealthTransitions.NONE;

    public void register(Collection<BackendHealth> backends) {
        probed.addAll(backends);
    }

    public void withdraw(Collection<BackendHealth> backends) {
        probed.removeAll(backends);
    }

    /** Replaces the whole set (after a full reload). */
    public void replaceAll(Collection<BackendHealth> backends) {
        probed.retainAll(Set.copyOf(backends));
        probed.addAll(backends);
    }

    Set<BackendHealth> probed() {
        return probed;
    }

    public int size() {
        return probed.size();
    }

    /** Where transitions are reported besides the log (metrics). */
    public void onTransition(HealthTransitions listener) {
        this.listener = listener;
    }

    @Override
    public void changed(BackendHealth health, BackendHealth.Status from, BackendHealth.Status to, String reason) {
        listener.changed(health, from, to, reason);
    }
}
