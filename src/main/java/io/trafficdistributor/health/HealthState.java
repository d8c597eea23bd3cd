package io.trafficdistributor.health;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.health.BackendHealth.Source;
import io.trafficdistributor.health.BackendHealth.Status;
import io.trafficdistributor.service.HealthCheckDocument;

/**
 * The health state machine of one backend server under one health check ({@link HealthKey}), fed by active
 * probes and by passive signals from live traffic. {@code unhealthyThreshold} consecutive failures make it
 * DOWN, {@code healthyThreshold} consecutive successes make it UP; until its first verdict it is UNKNOWN, which
 * is eligible for traffic.
 * <p>
 * Every distributor backend with the same key shares one state (see {@link HealthRegistry}), so the server is
 * probed once however many distributors use it, and a passive failure seen by one distributor counts for all:
 * it is the same server. Each distributor backend is a {@link BackendHealth} view of it, which names it in
 * logs, metrics and the status view; a transition is reported once per attached view.
 * <p>
 * The proxy's hot path only reads the volatile {@link #status()}; updates are synchronised.
 */
final class HealthState {

    /** While a verdict is pending (the last result disagrees with the status), re-check this often. */
    static final long RECHECK_MILLIS = 1000;
    /**
     * The probe tick runs every second; a re-check falls due slightly early so that the next tick takes it
     * rather than the one after.
     */
    private static final long TICK_SLACK_MILLIS = 150;
    /** A backend without probes that went DOWN passively gets traffic again after this long. */
    static final long PASSIVE_DOWN_MILLIS = 10_000;

    /** The category of the per-distributor-backend lines too: one place to look for, or silence, transitions. */
    private static final Logger LOG = Logger.getLogger(BackendHealth.class);
    /** Transitions of a state shown by more distributor backends than this are logged once for all. */
    static final int VIEWS_LOGGED_EACH = 3;

    private final HealthKey key;
    private final ProbeTarget target;
    private final HealthCheckDocument check;
    private final ExpectedStatuses expectedStatuses;
    /** The distributor backends that show this state and are told of its transitions. */
    private final Set<BackendHealth> views = ConcurrentHashMap.newKeySet();

    private volatile Status status = Status.UNKNOWN;
    private volatile long nextProbeAt;
    private volatile long probeStartedAt;
    private volatile long lastCheckAt;
    private volatile Long lastLatencyMillis;
    private volatile String lastError;
    // Written under the lock, read without it by the hot path and the status view.
    private volatile int consecutiveSuccesses;
    private volatile int consecutiveFailures;
    private long downSince;

    HealthState(HealthKey key, ProbeTarget target) {
        this.key = key;
        this.target = target;
        this.check = key.check();
        this.expectedStatuses = ExpectedStatuses.parse(check.expectedStatuses());
        // A new or changed backend is probed at once.
        this.nextProbeAt = System.currentTimeMillis();
    }

    void attach(BackendHealth view) {
        views.add(view);
    }

    /**
     * Attaches a view that showed another status until now (its own state's, before it joined this one): for
     * that distributor backend the switch is a transition, counted like any other, and logged while few views
     * share the state. Under the lock, so that no transition of this state slips between reading the status and
     * attaching.
     */
    synchronized void attach(BackendHealth view, Status shownBefore) {
        views.add(view);
        if (shownBefore != status) {
            // Logged for the first few views only, like the transitions of a state shown by many (see change).
            view.changed(shownBefore, status, "verdict of the backends already probed with this URL and health check",
                    views.size() <= VIEWS_LOGGED_EACH);
        }
    }

    void detach(BackendHealth view) {
        views.remove(view);
    }

    /** Whether no distributor backend shows this state any more. */
    boolean unattached() {
        return views.isEmpty();
    }

    /**
     * Makes the next probe due now: a distributor backend that just joined this state is probed at once, unless a
     * probe is running (its result is as fresh as another's would be) or one ended less than a re-check interval
     * ago. So a script creating hundreds of distributors a second over the same server costs one probe a second,
     * not one per distributor.
     */
    void probeAtOnce() {
        long now = System.currentTimeMillis();
        boolean running = probeStartedAt > lastCheckAt;
        if (running || (lastCheckAt > 0 && now - lastCheckAt < RECHECK_MILLIS)) {
            return;
        }
        nextProbeAt = Math.min(nextProbeAt, now);
    }

    Status status() {
        return status;
    }

    /** Whether new traffic may go here: anything but DOWN (a passive DOWN without probes expires). */
    boolean available() {
        if (status != Status.DOWN) {
            return true;
        }
        if (!check.enabled() && System.currentTimeMillis() - downSince >= PASSIVE_DOWN_MILLIS) {
            synchronized (this) {
                if (status == Status.DOWN) {
                    change(Status.UNKNOWN, "no health check, passive DOWN expired after "
                            + PASSIVE_DOWN_MILLIS / 1000 + " s");
                    consecutiveFailures = 0;
                }
            }
            return true;
        }
        return false;
    }

    void recordSuccess(Source source, long latencyMillis) {
        if (source == Source.TRAFFIC && status == Status.UP && consecutiveFailures == 0) {
            return; // the common case on the hot path: nothing to change, no lock taken
        }
        synchronized (this) {
            consecutiveSuccesses++;
            consecutiveFailures = 0;
            if (source == Source.PROBE) {
                lastCheckAt = System.currentTimeMillis();
                lastLatencyMillis = latencyMillis;
                lastError = null;
            }
            if (status != Status.UP && consecutiveSuccesses >= check.healthyThreshold()) {
                change(Status.UP, consecutiveSuccesses + " consecutive successes");
            }
            scheduleAfterResult(source, true);
        }
    }

    void recordFailure(Source source, String error, Long latencyMillis) {
        synchronized (this) {
            consecutiveFailures++;
            consecutiveSuccesses = 0;
            if (source == Source.PROBE) {
                lastCheckAt = System.currentTimeMillis();
                lastLatencyMillis = latencyMillis;
            }
            lastError = (source == Source.TRAFFIC ? "traffic: " : "") + error;
            if (status != Status.DOWN && consecutiveFailures >= check.unhealthyThreshold()) {
                downSince = System.currentTimeMillis();
                change(Status.DOWN, consecutiveFailures + " consecutive failures, last: " + lastError);
            }
            scheduleAfterResult(source, false);
        }
    }

    /** Due for an active probe now? */
    boolean dueForProbe(long now) {
        return now >= nextProbeAt;
    }

    /**
     * Claims the probe that is due: true for exactly one caller while it is due, and then the next one is not
     * due before the result says when (or the re-check time). The scheduler tick and an immediate probe of a
     * new backend may race for it.
     */
    synchronized boolean claimProbe(long now) {
        if (now < nextProbeAt) {
            return false;
        }
        probeStartedAt = now;
        nextProbeAt = now + RECHECK_MILLIS - TICK_SLACK_MILLIS;
        return true;
    }

    long nextProbeAt() {
        return nextProbeAt;
    }

    private void scheduleAfterResult(Source source, boolean success) {
        long now = System.currentTimeMillis();
        boolean verdictPending = success ? status != Status.UP : status != Status.DOWN;
        if (verdictPending) {
            // Re-check every second until a verdict, so a dead backend is DOWN in seconds, not intervals.
            long recheck = source == Source.PROBE ? probeStartedAt + RECHECK_MILLIS - TICK_SLACK_MILLIS : now;
            nextProbeAt = Math.min(nextProbeAt, recheck);
        } else if (source == Source.PROBE) {
            long interval = check.intervalSeconds() * 1000L;
            // ±10 % jitter keeps thousands of backends from probing in lock-step.
            nextProbeAt = now + interval - interval / 10 + ThreadLocalRandom.current().nextLong(interval / 5 + 1);
        }
    }

    /**
     * Tells every view of a transition (each counts it in its metrics). Up to {@link #VIEWS_LOGGED_EACH} views log
     * a line each; more log one line for all, so that ten thousand distributors over one server, probed for the
     * first time after a restart, write two lines and not twenty thousand.
     */
    private void change(Status to, String reason) {
        Status from = status;
        status = to;
        boolean each = views.size() <= VIEWS_LOGGED_EACH;
        for (BackendHealth view : views) {
            view.changed(from, to, reason, each);
        }
        if (!each) {
            String some = views.stream().limit(VIEWS_LOGGED_EACH).map(v -> v.distributor() + "/" + v.backend())
                    .collect(Collectors.joining(", "));
            String probe = check.type() == HealthCheckType.HTTP ? "HTTP " + check.path() : "TCP";
            LOG.infof("Backend %s (%s): %s -> %s (%s) for %d distributor backends: %s, ...", key.url(), probe, from, to,
                    reason, views.size(), some);
        }
    }

    HealthKey key() {
        return key;
    }

    ProbeTarget target() {
        return target;
    }

    ExpectedStatuses expectedStatuses() {
        return expectedStatuses;
    }

    HealthCheckDocument check() {
        return check;
    }

    long lastCheckAt() {
        return lastCheckAt;
    }

    Long lastLatencyMillis() {
        return lastLatencyMillis;
    }

    String lastError() {
        return lastError;
    }

    int consecutiveSuccesses() {
        return consecutiveSuccesses;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }
}
