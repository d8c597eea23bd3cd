package io.trafficdistributor.health;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import io.trafficdistributor.service.HealthCheckDocument;

/**
 * The health state machine of one backend, fed by active probes and by passive signals from live traffic.
 * {@code unhealthyThreshold} consecutive failures make it DOWN, {@code healthyThreshold} consecutive
 * successes make it UP; until its first verdict it is UNKNOWN, which is eligible for traffic.
 * <p>
 * The proxy's hot path only reads the volatile {@link #status()}; updates are synchronised.
 */
public final class BackendHealth {

    private static final Logger LOG = Logger.getLogger(BackendHealth.class);
    /** While a verdict is pending (the last result disagrees with the status), re-check this often. */
    static final long RECHECK_MILLIS = 1000;
    /**
     * The probe tick runs every second; a re-check falls due slightly early so that the next tick takes it
     * rather than the one after.
     */
    private static final long TICK_SLACK_MILLIS = 150;
    /** A backend without probes that went DOWN passively gets traffic again after this long. */
    static final long PASSIVE_DOWN_MILLIS = 10_000;

    public enum Status {
        UP, DOWN, UNKNOWN
    }

    /** What a result came from: an active probe, or the proxy's own traffic. */
    public enum Source {
        PROBE, TRAFFIC
    }

    private final String distributor;
    private final String backend;
    private final String url;
    private final ProbeTarget target;
    private final HealthCheckDocument check;
    private final HealthTransitions transitions;
    private final ExpectedStatuses expectedStatuses;

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

    public BackendHealth(String distributor, String backend, String url, ProbeTarget target, HealthCheckDocument check,
            HealthTransitions transitions) {
        this.distributor = distributor;
        this.backend = backend;
        this.url = url;
        this.target = target;
        this.check = check;
        this.transitions = transitions;
        this.expectedStatuses = ExpectedStatuses.parse(check.expectedStatuses());
        // A new or changed backend is probed at once.
        this.nextProbeAt = System.currentTimeMillis();
    }

    /** Whether this state can carry over to a backend of that URL and health check (else a new one starts). */
    public boolean sameTarget(String otherUrl, HealthCheckDocument otherCheck) {
        return url.equals(otherUrl) && Objects.equals(check, otherCheck);
    }

    public Status status() {
        return status;
    }

    /** Whether new traffic may go here: anything but DOWN (a passive DOWN without probes expires). */
    public boolean available() {
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

    public void recordSuccess(Source source, long latencyMillis) {
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

    public void recordFailure(Source source, String error, Long latencyMillis) {
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
    public boolean dueForProbe(long now) {
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

    private void change(Status to, String reason) {
        Status from = status;
        status = to;
        transitions.changed(this, from, to, reason);
        LOG.infof("Distributor '%s' backend '%s': %s -> %s (%s)", distributor, backend, from, to, reason);
    }

    public String distributor() {
        return distributor;
    }

    public String backend() {
        return backend;
    }

    public String url() {
        return url;
    }

    public ProbeTarget target() {
        return target;
    }

    ExpectedStatuses expectedStatuses() {
        return expectedStatuses;
    }

    public HealthCheckDocument check() {
        return check;
    }

    public long lastCheckAt() {
        return lastCheckAt;
    }

    public Long lastLatencyMillis() {
        return lastLatencyMillis;
    }

    public String lastError() {
        return lastError;
    }

    public int consecutiveSuccesses() {
        return consecutiveSuccesses;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }
}
