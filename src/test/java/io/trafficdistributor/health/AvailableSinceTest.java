package io.trafficdistributor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.health.BackendHealth.Source;
import io.trafficdistributor.health.BackendHealth.Status;

/**
 * When a backend became available again, the start of its slow-start ramp: only a recovery from DOWN counts, not a
 * first verdict. Without Quarkus: the health of one backend, fed results by hand.
 */
class AvailableSinceTest {

    /** Thresholds 1 and 1: each result decides. */
    static BackendHealth health() {
        ProbeTarget target = BackendChecks.local(9, "");
        ProbeSettings settings = new ProbeSettings(true, HealthCheckType.TCP, "/", ExpectedStatuses.parse("200-399"), 5,
                2000, 1, 1);
        return new BackendHealth("shop", "blue", new HealthKey(target.url(), settings), target);
    }

    @Test
    void aNewBackendHasNeverComeBack() {
        assertEquals(BackendHealth.NEVER, health().availableSince());
    }

    @Test
    void aFirstVerdictOfUpIsNoRecovery() {
        BackendHealth health = health();
        health.recordSuccess(Source.PROBE, 1);
        assertEquals(Status.UP, health.status());
        assertEquals(BackendHealth.NEVER, health.availableSince());
    }

    @Test
    void upAfterDownIsARecoveryAtThatMoment() {
        BackendHealth health = health();
        health.recordSuccess(Source.PROBE, 1);
        health.recordFailure(Source.TRAFFIC, "connection refused or unreachable", null);
        assertEquals(Status.DOWN, health.status());
        assertEquals(BackendHealth.NEVER, health.availableSince());

        long before = System.nanoTime();
        health.recordSuccess(Source.PROBE, 1);
        long after = System.nanoTime();
        assertEquals(Status.UP, health.status());
        long since = health.availableSince();
        assertTrue(since >= before && since <= after, since + " not in [" + before + ", " + after + "]");

        // Staying UP changes nothing; a later recovery moves it.
        health.recordSuccess(Source.TRAFFIC, 1);
        health.recordSuccess(Source.PROBE, 1);
        assertEquals(since, health.availableSince());
        health.recordFailure(Source.PROBE, "connect timed out", 2000L);
        health.recordSuccess(Source.PROBE, 1);
        assertTrue(health.availableSince() > since);
    }

    @Test
    void downBeforeAnyVerdictThenUpIsARecovery() {
        // A backend that was down when it was first probed (at process start, say) ramps when it comes up.
        BackendHealth health = health();
        health.recordFailure(Source.PROBE, "connection refused or unreachable", 1L);
        health.recordSuccess(Source.PROBE, 1);
        assertEquals(Status.UP, health.status());
        assertTrue(health.availableSince() != BackendHealth.NEVER);
    }
}
