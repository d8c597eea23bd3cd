package io.trafficdistributor.health;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import jakarta.annotation.PreDestroy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Health's front door: routing tracks each distributor backend here as it compiles the distributor, gets its
 * {@link BackendHealth} back, and untracks it when the backend or its distributor goes. Everything else (which
 * health carries over, what is probed, which probes are shared, metrics) is decided here.
 * <p>
 * Probed are the backends of enabled distributors whose health check is on. Those with the same URL and probe
 * settings share one {@link HealthState}, probed once for all of them: ten thousand distributors over the same
 * two servers cost two probes per interval, not twenty thousand. A shared state lives as long as at least one
 * probed backend uses it, so untracking one distributor never stops the probe that others still need.
 * <p>
 * Nothing here registers metrics: {@link HealthMetrics} reads the tracked backends when metrics are scraped.
 * <p>
 * Tracking is cheap for its caller, an API write that compiles a distributor: it makes or finds the backend's
 * {@link BackendHealth} and returns. Joining the shared state and the first probe happen a moment later on a thread
 * of their own, in the order they were asked for, so that a burst of writes neither waits for them nor contends on
 * them; until then the new backend shows its own state, UNKNOWN, which takes traffic.
 * <p>
 * At start, nothing is probed until the routing table is loaded and the proxy listens ({@link #startProbing()}):
 * the registrations of the load wait, in order, so that a hundred thousand distributors' first probes and their log lines do not take
 * the cores from the load itself. Their backends are UNKNOWN meanwhile, which takes traffic.
 */
@ApplicationScoped
public class HealthRegistry {

    /** A backend of a distributor, by their names. */
    private record Tracked(String distributor, String backend) {
    }

    private final Map<Tracked, BackendHealth> tracked = new ConcurrentHashMap<>();
    /** One state per URL and probe settings in use; what the prober probes. */
    private final Map<HealthKey, HealthState> shared = new ConcurrentHashMap<>();

    @Inject
    Prober prober;

    /** Starts and stops probing, in the order {@link #track} and {@link #untrack} asked for it. */
    private final ExecutorService registrar = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "td-health-registrar");
        thread.setDaemon(true);
        return thread;
    });
    /** The registrar's queue, held until {@link #startProbing()}. */
    private final GatedExecutor registrations = new GatedExecutor(registrar);

    /**
     * The health of a distributor's backend from now on. The one tracked so far for that distributor and backend
     * name, if its URL and probe settings are the same (editing a distributor keeps the health of the backends it
     * did not change); else a new one, UNKNOWN until its first verdict, which replaces it.
     * <p>
     * It is probed when the distributor is enabled and its probe settings are: it joins the state shared by every
     * probed backend with its URL and settings, and that state is probed at once (unless a probe of it is running
     * or has just ended), so a new backend gets a fresh verdict whether or not others already probe the same
     * server. Otherwise only the proxy's own traffic judges it. Both happen on the registrar thread, just after.
     */
    public BackendHealth track(String distributor, String backend, ProbeTarget target, ProbeSettings probe,
            boolean distributorEnabled) {
        HealthKey key = new HealthKey(target.url(), probe);
        boolean toProbe = distributorEnabled && probe.enabled();
        // One key at a time (its map entry's lock), so its registrations queue in the order of its changes; no
        // lock that concurrent writes of other distributors would wait for.
        return tracked.compute(new Tracked(distributor, backend), (id, health) -> {
            if (health == null || !health.key().equals(key)) {
                BackendHealth fresh = new BackendHealth(distributor, backend, key, target);
                if (health != null) {
                    BackendHealth replaced = health;
                    fresh.keepTransitionsOf(replaced);
                    register(() -> stopProbing(replaced));
                }
                health = fresh;
            }
            BackendHealth tracking = health;
            register(toProbe ? () -> startProbing(tracking) : () -> stopProbing(tracking));
            return health;
        });
    }

    /**
     * Stops tracking a distributor's backend (it was removed, or its distributor deleted): no more probes for it
     * (the probes others share go on) and no metrics. Its last health stays readable to whoever still holds it.
     */
    public void untrack(String distributor, String backend) {
        tracked.compute(new Tracked(distributor, backend), (id, health) -> {
            if (health != null) {
                register(() -> stopProbing(health));
            }
            return null;
        });
    }

    @PreDestroy
    void stop() {
        registrar.shutdownNow();
    }

    /**
     * Lets the registrations made so far, and every later one, start and stop probes: called at start once the routing
     * table is loaded and the proxy listens. The held ones run first, in the order they were made, then any made meanwhile.
     */
    public void startProbing() {
        try {
            registrations.open();
        } catch (RejectedExecutionException stopping) {
            // The service is stopping: nothing is probed any more.
        }
    }

    /** Queues a change of what is probed for the registrar thread, the only one that makes them. */
    private void register(Runnable change) {
        try {
            registrations.execute(change);
        } catch (RejectedExecutionException stopping) {
            // The service is stopping: nothing is probed any more.
        }
    }

    private void startProbing(BackendHealth health) {
        if (health.probed) {
            return;
        }
        health.probed = true;
        HealthState state = shared.computeIfAbsent(health.key(), key -> health.state());
        health.join(state);
        // Not when a probe of it is running or just ended: a thousand new distributors over one server are one probe.
        state.probeAtOnce();
        prober.probeNow(List.of(state));
    }

    private void stopProbing(BackendHealth health) {
        if (health.probed) {
            health.probed = false;
            HealthState state = health.state();
            health.leave();
            if (state.unattached()) {
                shared.remove(state.key(), state);
            }
        }
    }

    /** Every tracked distributor backend (what {@link HealthMetrics} reports). */
    Collection<BackendHealth> trackedBackends() {
        return tracked.values();
    }

    /** Whether that distributor backend is probed (its distributor is enabled and its health check on). */
    boolean isProbed(BackendHealth health) {
        return health.probed;
    }

    /** The distinct states to probe: one per URL and probe settings in use. */
    Collection<HealthState> probed() {
        return shared.values();
    }

    /** The last health transitions of a distributor's backend, newest first (empty when it had none here). */
    public List<HealthTransition> recentTransitions(String distributor, String backend) {
        BackendHealth health = tracked.get(new Tracked(distributor, backend));
        return health == null ? List.of() : health.recentTransitions();
    }
}
