package io.trafficdistributor.health;

import io.trafficdistributor.health.BackendHealth.Status;

/**
 * The health state machine of one backend, as a small value: thresholds in, consecutive counts and status out.
 * {@code unhealthyThreshold} consecutive failures make it DOWN, {@code healthyThreshold} consecutive successes make
 * it UP; until its first verdict it is UNKNOWN, which is eligible for traffic. A probe's result and a passive
 * signal from live traffic count alike.
 * <p>
 * Not synchronised: its owner ({@link HealthState}) serialises the calls that change it. The status and counts
 * are volatile, so the proxy's hot path and the status view read them without a lock.
 */
final class HealthVerdict {

    /** A change of status, and the count of consecutive results that caused it. */
    record Transition(Status from, Status to, int consecutive) {
    }

    private final int healthyThreshold;
    private final int unhealthyThreshold;

    private volatile Status status = Status.UNKNOWN;
    private volatile int consecutiveSuccesses;
    private volatile int consecutiveFailures;
    private volatile long downSince;

    HealthVerdict(int healthyThreshold, int unhealthyThreshold) {
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1: " + healthyThreshold + ", " + unhealthyThreshold);
        }
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /**
     * Counts one result (at {@code now}, in milliseconds).
     *
     * @return the transition it caused, or null when the status stays
     */
    Transition observe(boolean ok, long now) {
        Status from = status;
        if (ok) {
            consecutiveSuccesses++;
            consecutiveFailures = 0;
            if (from != Status.UP && consecutiveSuccesses >= healthyThreshold) {
                status = Status.UP;
                return new Transition(from, Status.UP, consecutiveSuccesses);
            }
        } else {
            consecutiveFailures++;
            consecutiveSuccesses = 0;
            if (from != Status.DOWN && consecutiveFailures >= unhealthyThreshold) {
                status = Status.DOWN;
                downSince = now;
                return new Transition(from, Status.DOWN, consecutiveFailures);
            }
        }
        return null;
    }

    /** Whether it has been DOWN for at least {@code millis}. */
    boolean downFor(long now, long millis) {
        return status == Status.DOWN && now - downSince >= millis;
    }

    /**
     * Forgets a DOWN that has lasted {@code afterMillis}: UNKNOWN again, failures not counted. For a backend that
     * nothing probes, whose passive DOWN would otherwise never end.
     *
     * @return the transition, or null when it is not DOWN or not for that long yet
     */
    Transition expireDown(long now, long afterMillis) {
        if (!downFor(now, afterMillis)) {
            return null;
        }
        status = Status.UNKNOWN;
        consecutiveFailures = 0;
        return new Transition(Status.DOWN, Status.UNKNOWN, 0);
    }

    /**
     * Whether a success would change nothing but the count of successes: UP with no failure counted. The proxy's
     * hot path skips recording such a success from traffic, so it takes no lock.
     */
    boolean unchangedBySuccess() {
        return status == Status.UP && consecutiveFailures == 0;
    }

    /** Whether new traffic may go here: anything but DOWN. */
    boolean available() {
        return status != Status.DOWN;
    }

    /** Whether the last result disagrees with the status, so a verdict is pending. */
    boolean pendingAfter(boolean ok) {
        return ok ? status != Status.UP : status != Status.DOWN;
    }

    Status status() {
        return status;
    }

    int consecutiveSuccesses() {
        return consecutiveSuccesses;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    int healthyThreshold() {
        return healthyThreshold;
    }

    int unhealthyThreshold() {
        return unhealthyThreshold;
    }
}
