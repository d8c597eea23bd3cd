package io.trafficdistributor.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The backends that are probed now: those of enabled distributors whose health check is on. The routing
 * layer registers them as it compiles distributors and withdraws them when a distributor changes or goes.
 */
@ApplicationScoped
public class HealthRegistry implements HealthTransitions {

    private final Set<BackendHealth> probed = ConcurrentHashMap.newKeySet();

    @Inject
    HealthMetrics metrics;
    @Inject
    Prober prober;

    /** Adds backends to probe; those not probed before are probed at once. */
    public void register(Collection<BackendHealth> backends) {
        List<BackendHealth> added = new ArrayList<>();
        for (BackendHealth health : backends) {
            if (probed.add(health)) {
                metrics.added(health);
                added.add(health);
            }
        }
        if (!added.isEmpty()) {
            prober.probeNow(added);
        }
    }

    public void withdraw(Collection<BackendHealth> backends) {
        for (BackendHealth health : backends) {
            if (probed.remove(health)) {
                metrics.removed(health);
            }
        }
    }

    /** Replaces the whole set (after a full reload). */
    public void replaceAll(Collection<BackendHealth> backends) {
        Set<BackendHealth> next = Set.copyOf(backends);
        withdraw(probed.stream().filter(h -> !next.contains(h)).toList());
        register(next);
    }

    Set<BackendHealth> probed() {
        return probed;
    }


    @Override
    public void changed(BackendHealth health, BackendHealth.Status from, BackendHealth.Status to, String reason) {
        metrics.transition(health, to);
    }
}
