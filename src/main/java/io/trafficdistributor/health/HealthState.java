package io.trafficdistributor.health;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.trafficdistributor.health.BackendHealth.Source;
import io.trafficdistributor.health.BackendHealth.Status;

/**
 * The health of one backend server under one health check ({@link HealthKey}), fed by active probes and by
 * passive signals from live traffic: its verdict ({@link HealthVerdict}, the state machine), what its last check
 * said, and when it is due for the next probe.
 * <p>
 * Every distributor backend with the same key shares one state (see {@link HealthRegistry}), so the server is
 * probed once however many distributors use it, and a passive failure seen by one distributor counts for all:
 * it is the same server. Each distributor backend is a {@link BackendHealth} view of it, which names it in
 * logs, metrics and the status view; a transition is reported once per attached view.
 * <p>
 * The proxy's hot path only reads volatile fields; updates are synchronised.
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
    private final ProbeSettings settings;
    /** The distributor backends that show this state and are told of its transitions. */
    private final Set<BackendHealth> views = ConcurrentHashMap.newKeySet();

    /** Status and consecutive counts: changed under this state's lock, read without it. */
    private final HealthVerdict verdict;
    private volatile long nextProbeAt;
    private volatile long probeStartedAt;
    private volatile long lastCheckAt;
    private volatile Long lastLatencyMillis;
    private volatile String lastError;
    /**
     * When it last became available after DOWN ({@link System#nanoTime()}), the start of a slow-start ramp; or
     * {@link BackendHealth#NEVER}. A first verdict (UNKNOWN to UP) is no recovery: nothing was taken from it.
     */
    private volatile long availableSince = BackendHealth.NEVER;

    HealthState(HealthKey key, ProbeTarget target) {
        this.key = key;
        this.target = target;
        this.settings = key.settings();
        this.verdict = new HealthVerdict(settings.healthyThreshold(), settings.unhealthyThreshold());
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
        Status status = verdict.status();
        if (shownBefore != status) {
            // Logged for the first few views only, like the transitions of a state shown by many (see report).
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
     * Makes the next probe due now for a distributor backend that just joined this state, unless a probe is running
     * (its result is as fresh as another's would be) or one ended less than a re-check interval ago; and not at all
     * while the state is UP: the joiner takes that verdict, which the state's own schedule keeps as fresh as its
     * health check asks. So creating hundreds of distributors a second over the same healthy servers costs no probes
     * beyond theirs (at 100,000 distributors over 1,000 servers a probe per creation was a fifth of the service's
     * CPU), while a server DOWN or not yet judged is looked at again at once: it may have come back since.
     */
    void probeAtOnce() {
        if (status() == Status.UP) {
            return;
        }
        long now = System.currentTimeMillis();
        boolean running = probeStartedAt > lastCheckAt;
        if (running || (lastCheckAt > 0 && now - lastCheckAt < RECHECK_MILLIS)) {
            return;
        }
        nextProbeAt = Math.min(nextProbeAt, now);
    }

    Status status() {
        return verdict.status();
    }

    /** Whether new traffic may go here: anything but DOWN (a passive DOWN without probes expires). */
    boolean available() {
        if (verdict.available()) {
            return true;
        }
        long now = System.currentTimeMillis();
        if (settings.enabled() || !verdict.downFor(now, PASSIVE_DOWN_MILLIS)) {
            return false;
        }
        synchronized (this) {
            report(verdict.expireDown(now, PASSIVE_DOWN_MILLIS),
                    "no health check, passive DOWN expired after " + PASSIVE_DOWN_MILLIS / 1000 + " s");
        }
        return true;
    }

    void recordSuccess(Source source, long latencyMillis) {
        if (source == Source.TRAFFIC && verdict.unchangedBySuccess()) {
            return; // the common case on the hot path: nothing to change, no lock taken
        }
        synchronized (this) {
            if (source == Source.PROBE) {
                lastCheckAt = System.currentTimeMillis();
                lastLatencyMillis = latencyMillis;
                lastError = null;
            }
            HealthVerdict.Transition transition = verdict.observe(true, System.currentTimeMillis());
            report(transition, transition == null ? null : transition.consecutive() + " consecutive successes");
            scheduleAfterResult(source, true);
        }
    }

    void recordFailure(Source source, String error, Long latencyMillis) {
        synchronized (this) {
            if (source == Source.PROBE) {
                lastCheckAt = System.currentTimeMillis();
                lastLatencyMillis = latencyMillis;
            }
            lastError = (source == Source.TRAFFIC ? "traffic: " : "") + error;
            HealthVerdict.Transition transition = verdict.observe(false, System.currentTimeMillis());
            report(transition, transition == null ? null
                    : transition.consecutive() + " consecutive failures, last: " + lastError);
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
        if (verdict.pendingAfter(success)) {
            // Re-check every second until a verdict, so a dead backend is DOWN in seconds, not intervals.
            long recheck = source == Source.PROBE ? probeStartedAt + RECHECK_MILLIS - TICK_SLACK_MILLIS : now;
            nextProbeAt = Math.min(nextProbeAt, recheck);
        } else if (source == Source.PROBE) {
            long interval = settings.intervalSeconds() * 1000L;
            // ±10 % jitter keeps thousands of backends from probing in lock-step.
            nextProbeAt = now + interval - interval / 10 + ThreadLocalRandom.current().nextLong(interval / 5 + 1);
        }
    }

    /**
     * Tells every view of a transition (each counts it in its metrics), if there is one. Up to
     * {@link #VIEWS_LOGGED_EACH} views log a line each; more log one line for all, so that ten thousand
     * distributors over one server, probed for the first time after a restart, write two lines and not twenty
     * thousand.
     */
    private void report(HealthVerdict.Transition transition, String reason) {
        if (transition == null) {
            return;
        }
        Status from = transition.from();
        Status to = transition.to();
        if (from == Status.DOWN) {
            availableSince = System.nanoTime(); // before the views hear of it: routing reads it with the status
        }
        boolean each = views.size() <= VIEWS_LOGGED_EACH;
        for (BackendHealth view : views) {
            view.changed(from, to, reason, each);
        }
        if (!each) {
            String some = views.stream().limit(VIEWS_LOGGED_EACH).map(v -> v.distributor() + "/" + v.backend())
                    .collect(Collectors.joining(", "));
            LOG.infof("Backend %s (%s): %s -> %s (%s) for %d distributor backends: %s, ...", key.url(),
                    settings.describe(), from, to, reason, views.size(), some);
        }
    }

    HealthKey key() {
        return key;
    }

    ProbeTarget target() {
        return target;
    }

    ProbeSettings settings() {
        return settings;
    }

    long lastCheckAt() {
        return lastCheckAt;
    }

    long availableSince() {
        return availableSince;
    }

    Long lastLatencyMillis() {
        return lastLatencyMillis;
    }

    String lastError() {
        return lastError;
    }

    int consecutiveSuccesses() {
        return verdict.consecutiveSuccesses();
    }

    int consecutiveFailures() {
        return verdict.consecutiveFailures();
    }
}
