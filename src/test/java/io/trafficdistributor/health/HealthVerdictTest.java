package io.trafficdistributor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.health.BackendHealth.Status;
import io.trafficdistributor.health.HealthVerdict.Transition;

/** The health state machine on its own: thresholds, consecutive counts, transitions. */
class HealthVerdictTest {

    static final boolean OK = true;
    static final boolean FAILED = false;

    /** The defaults of a health check: 2 successes make UP, 3 failures make DOWN. */
    static HealthVerdict defaults() {
        return new HealthVerdict(2, 3);
    }

    @Test
    void aNewBackendIsUnknownAndEligibleUntilItsFirstVerdict() {
        HealthVerdict verdict = defaults();
        assertEquals(Status.UNKNOWN, verdict.status());
        assertTrue(verdict.available());
        assertEquals(0, verdict.consecutiveSuccesses());
        assertEquals(0, verdict.consecutiveFailures());

        // Fewer results than either threshold: still no verdict, still eligible.
        assertNull(verdict.observe(FAILED, 0));
        assertNull(verdict.observe(FAILED, 0));
        assertEquals(Status.UNKNOWN, verdict.status());
        assertTrue(verdict.available());
        assertNull(verdict.observe(OK, 0));
        assertEquals(Status.UNKNOWN, verdict.status());
        assertTrue(verdict.available());
    }

    @Test
    void healthyThresholdConsecutiveSuccessesMakeUp() {
        HealthVerdict verdict = defaults();
        assertNull(verdict.observe(OK, 0));
        assertEquals(new Transition(Status.UNKNOWN, Status.UP, 2), verdict.observe(OK, 0));
        assertEquals(Status.UP, verdict.status());
        // Further successes change nothing.
        assertNull(verdict.observe(OK, 0));
        assertEquals(3, verdict.consecutiveSuccesses());
        assertEquals(0, verdict.consecutiveFailures());
    }

    @Test
    void unhealthyThresholdConsecutiveFailuresMakeDown() {
        HealthVerdict verdict = defaults();
        assertNull(verdict.observe(FAILED, 0));
        assertNull(verdict.observe(FAILED, 0));
        assertEquals(new Transition(Status.UNKNOWN, Status.DOWN, 3), verdict.observe(FAILED, 0));
        assertEquals(Status.DOWN, verdict.status());
        assertFalse(verdict.available());
        assertNull(verdict.observe(FAILED, 0));
        assertEquals(4, verdict.consecutiveFailures());
        assertEquals(0, verdict.consecutiveSuccesses());
    }

    @Test
    void onlyConsecutiveResultsCount() {
        HealthVerdict verdict = up(defaults());
        // Failure, failure, success, failure, failure: never three in a row, so still UP.
        assertNull(verdict.observe(FAILED, 0));
        assertNull(verdict.observe(FAILED, 0));
        assertNull(verdict.observe(OK, 0));
        assertEquals(0, verdict.consecutiveFailures());
        assertNull(verdict.observe(FAILED, 0));
        assertNull(verdict.observe(FAILED, 0));
        assertEquals(Status.UP, verdict.status());
        assertEquals(new Transition(Status.UP, Status.DOWN, 3), verdict.observe(FAILED, 0));
    }

    @Test
    void downToUpAndBack() {
        HealthVerdict verdict = defaults();
        for (int i = 0; i < 3; i++) {
            verdict.observe(FAILED, 0);
        }
        assertEquals(Status.DOWN, verdict.status());
        assertNull(verdict.observe(OK, 0));
        assertEquals(Status.DOWN, verdict.status(), "one success is not enough with a healthy threshold of 2");
        assertFalse(verdict.available());
        assertEquals(new Transition(Status.DOWN, Status.UP, 2), verdict.observe(OK, 0));
        assertTrue(verdict.available());
    }

    @Test
    void thresholdsOfOneDecideOnEveryResult() {
        HealthVerdict verdict = new HealthVerdict(1, 1);
        assertEquals(new Transition(Status.UNKNOWN, Status.UP, 1), verdict.observe(OK, 0));
        assertEquals(new Transition(Status.UP, Status.DOWN, 1), verdict.observe(FAILED, 0));
        assertEquals(new Transition(Status.DOWN, Status.UP, 1), verdict.observe(OK, 0));
    }

    @Test
    void passiveFailuresCountLikeProbeFailures() {
        // The proxy reports a refused connect as a failure at once: enough of them make DOWN before the next probe.
        HealthVerdict verdict = up(new HealthVerdict(2, 2));
        assertNull(verdict.observe(FAILED, 1000));
        assertEquals(new Transition(Status.UP, Status.DOWN, 2), verdict.observe(FAILED, 1001));
        assertFalse(verdict.available());
    }

    @Test
    void aPassiveDownExpiresBackToUnknown() {
        HealthVerdict verdict = new HealthVerdict(2, 1);
        verdict.observe(FAILED, 5_000);
        assertFalse(verdict.available());
        assertFalse(verdict.downFor(14_999, 10_000));
        assertNull(verdict.expireDown(14_999, 10_000));
        assertEquals(Status.DOWN, verdict.status());

        assertTrue(verdict.downFor(15_000, 10_000));
        assertEquals(new Transition(Status.DOWN, Status.UNKNOWN, 0), verdict.expireDown(15_000, 10_000));
        assertEquals(Status.UNKNOWN, verdict.status());
        assertTrue(verdict.available());
        assertEquals(0, verdict.consecutiveFailures());
        // Nothing to expire when not DOWN.
        assertNull(verdict.expireDown(100_000, 10_000));
    }

    @Test
    void aDownTimeIsTakenWhenItTurnsDown() {
        HealthVerdict verdict = new HealthVerdict(1, 1);
        verdict.observe(FAILED, 1_000);
        verdict.observe(FAILED, 9_000); // still DOWN: the DOWN started at 1 s
        assertTrue(verdict.downFor(11_000, 10_000));
    }

    @Test
    void aSuccessWhileUpWithNoFailureChangesNothing() {
        HealthVerdict verdict = defaults();
        assertFalse(verdict.unchangedBySuccess(), "UNKNOWN: a success counts towards UP");
        up(verdict);
        assertTrue(verdict.unchangedBySuccess());
        verdict.observe(FAILED, 0);
        assertFalse(verdict.unchangedBySuccess(), "a success resets the failures counted");
    }

    @Test
    void aVerdictIsPendingWhileTheLastResultDisagreesWithTheStatus() {
        HealthVerdict verdict = defaults();
        assertTrue(verdict.pendingAfter(OK));
        assertTrue(verdict.pendingAfter(FAILED));
        up(verdict);
        assertFalse(verdict.pendingAfter(OK));
        assertTrue(verdict.pendingAfter(FAILED));
    }

    @Test
    void thresholdsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HealthVerdict(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new HealthVerdict(2, 0));
    }

    private static HealthVerdict up(HealthVerdict verdict) {
        while (verdict.status() != Status.UP) {
            verdict.observe(OK, 0);
        }
        return verdict;
    }
}
