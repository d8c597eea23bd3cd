package io.trafficdistributor.health;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * The health of one backend of one distributor: a named view of the {@link HealthState} of its server and
 * health check. What the proxy and the status view read, and the proxy reports its traffic's outcomes to.
 * <p>
 * Made by {@link HealthRegistry#track}, the one way to get one. A new view starts with a state of its own
 * (UNKNOWN, due for a probe). When its distributor backend is probed, it joins the state that every probed
 * backend with the same URL and probe settings shares, so one probe serves them all. A view that is not probed
 * (its distributor is disabled, or its health check is off) keeps its own state, fed by passive signals only.
 */
public final class BackendHealth {

    private static final Logger LOG = Logger.getLogger(BackendHealth.class);

    public enum Status {
        UP, DOWN, UNKNOWN
    }

    /** What a result came from: an active probe, or the proxy's own traffic. */
    public enum Source {
        PROBE, TRAFFIC
    }

    /** The {@link #availableSince()} of a backend that has not come back from DOWN since it was tracked. */
    public static final long NEVER = Long.MIN_VALUE;

    private final String distributor;
    private final String backend;
    /** Replaced only by the registry, when this view joins a shared state; read on the proxy's hot path. */
    private volatile HealthState state;
    /** Whether it is probed (joined its URL's shared state); set by the registry on its registrar thread only. */
    volatile boolean probed;
    /** Transitions into UP, DOWN and UNKNOWN ({@code td_health_transitions_total}, read by {@link HealthMetrics}). */
    private volatile int toUp;
    private volatile int toDown;
    private volatile int toUnknown;
    /** The last {@link #KEPT} transitions, newest first: an immutable list, replaced by each transition. */
    private volatile List<HealthTransition> recent = List.of();

    /** Transitions kept for the console ("did a failover happen, and when?" without reading the log). */
    static final int KEPT = 10;

    BackendHealth(String distributor, String backend, HealthKey key, ProbeTarget target) {
        this.distributor = distributor;
        this.backend = backend;
        this.state = new HealthState(key, target);
        state.attach(this);
    }

    HealthKey key() {
        return state.key();
    }

    HealthState state() {
        return state;
    }

    /** Shows that state from now on (the registry's shared one for this key) and is told of its transitions. */
    void join(HealthState shared) {
        HealthState before = state;
        if (before == shared) {
            shared.attach(this);
            return;
        }
        state = shared;
        shared.attach(this, before.status());
        before.detach(this);
    }

    /** Stops being told of the state's transitions: this backend is no longer probed (its distributor changed). */
    void leave() {
        state.detach(this);
    }

    /**
     * Called by the state, under its lock, once for each view: one count per distributor backend, and a log line
     * if {@code log} (else the state logs one line for all its views).
     */
    void changed(Status from, Status to, String reason, boolean log) {
        HealthTransition transition = new HealthTransition(Instant.now(), from, to, reason);
        synchronized (this) { // a view's transitions can come from its own state and from the one it joins
            switch (to) {
                case UP -> toUp++;
                case DOWN -> toDown++;
                case UNKNOWN -> toUnknown++;
            }
            List<HealthTransition> kept = new ArrayList<>(Math.min(recent.size() + 1, KEPT));
            kept.add(transition);
            kept.addAll(recent.subList(0, Math.min(recent.size(), KEPT - 1)));
            recent = List.copyOf(kept);
        }
        if (log) {
            LOG.infof("Distributor '%s' backend '%s': %s -> %s (%s)", distributor, backend, from, to, reason);
        }
    }

    /** Its last transitions, newest first (up to {@link #KEPT}). */
    public List<HealthTransition> recentTransitions() {
        return recent;
    }

    /** Goes on with the transitions of the view it replaces (same distributor backend, another URL or check). */
    void keepTransitionsOf(BackendHealth replaced) {
        synchronized (this) {
            recent = replaced.recent;
        }
    }

    /** How many times this distributor backend entered that state since it was tracked. */
    int transitionsTo(Status to) {
        return switch (to) {
            case UP -> toUp;
            case DOWN -> toDown;
            case UNKNOWN -> toUnknown;
        };
    }

    public Status status() {
        return state.status();
    }

    /** Whether new traffic may go here: anything but DOWN (a passive DOWN without probes expires). */
    public boolean available() {
        return state.available();
    }

    public void recordSuccess(Source source, long latencyMillis) {
        state.recordSuccess(source, latencyMillis);
    }

    public void recordFailure(Source source, String error, Long latencyMillis) {
        state.recordFailure(source, error, latencyMillis);
    }

    public String distributor() {
        return distributor;
    }

    public String backend() {
        return backend;
    }

    /**
     * When the server last became available again after DOWN: UP by its probes, or UNKNOWN when a passive DOWN
     * without probes expired. A {@link System#nanoTime()} value, or {@link #NEVER}. Slow start ramps from it.
     */
    public long availableSince() {
        return state.availableSince();
    }

    public long lastCheckAt() {
        return state.lastCheckAt();
    }

    public Long lastLatencyMillis() {
        return state.lastLatencyMillis();
    }

    public String lastError() {
        return state.lastError();
    }

    public int consecutiveSuccesses() {
        return state.consecutiveSuccesses();
    }

    public int consecutiveFailures() {
        return state.consecutiveFailures();
    }
}
