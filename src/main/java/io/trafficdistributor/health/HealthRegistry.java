package io.trafficdistributor.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The backends that are probed now: those of enabled distributors whose health check is on. The routing
 * layer registers them as it compiles distributors and withdraws them when a distributor changes or goes.
 * <p>
 * Registered backends with the same URL and health check share one {@link HealthState}, probed once for all
 * of them: ten thousand distributors over the same two servers cost two probes per interval, not twenty
 * thousand. A shared state lives as long as at least one registered backend uses it, so withdrawing one
 * distributor never stops the probe that others still need.
 */
@ApplicationScoped
public class HealthRegistry implements HealthTransitions {

    private final Set<BackendHealth> probed = ConcurrentHashMap.newKeySet();
    /** One state per URL and health check in use; what the prober probes. */
    private final Map<HealthKey, HealthState> shared = new ConcurrentHashMap<>();

    @Inject
    HealthMetrics metrics;
    @Inject
    Prober prober;

    /**
     * Adds backends to probe. Each joins the shared state of its URL and health check (or, the first one,
     * makes its own state the shared one), and that state is probed at once: a backend new to its
     * distributor gets a fresh verdict whether or not others already probe the same server.
     */
    public synchronized void register(Collection<BackendHealth> backends) {
        Set<HealthState> joined = new LinkedHashSet<>();
        for (BackendHealth health : backends) {
            if (probed.add(health)) {
                HealthState state = shared.computeIfAbsent(health.key(), key -> health.state());
                health.join(state);
                metrics.added(health);
                joined.add(state);
            }
        }
        if (!joined.isEmpty()) {
            // Once per state, however many backends joined it: a thousand new distributors are one probe.
            joined.forEach(HealthState::probeAtOnce);
            prober.probeNow(joined);
        }
    }

    public synchronized void withdraw(Collection<BackendHealth> backends) {
        for (BackendHealth health : backends) {
            if (probed.remove(health)) {
                metrics.removed(health);
                HealthState state = health.state();
                health.leave();
                if (state.unattached()) {
                    shared.remove(state.key(), state);
                }
            }
        }
    }

    /** Replaces the whole set (after a full reload). */
    public synchronized void replaceAll(Collection<BackendHealth> backends) {
        Set<BackendHealth> next = Set.copyOf(backends);
        withdraw(probed.stream().filter(h -> !next.contains(h)).toList());
        register(next);
    }

    /** The distinct states to probe: one per URL and health check in use. */
    Collection<HealthState> probed() {
        return shared.values();
    }

    @Override
    public void changed(BackendHealth health, BackendHealth.Status from, BackendHealth.Status to, String reason) {
        metrics.transition(health, to);
    }
}
