package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.health.BackendHealth.Source;
import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.HealthCheckDocument;

/**
 * Which changes of a distributor start a backend's slow-start ramp, through the compile step, without Quarkus. The
 * distributor is disabled so that nothing is probed: health moves only by the results the test records.
 */
class RampStartsTest {

    final HealthRegistry health = new HealthRegistry();
    final StickyTokens tokens = new StickyTokens(new byte[32]);
    final UUID id = UUID.randomUUID();

    DistributorDocument document(UUID id, List<BackendDocument> backends, String healthPath) {
        return new DistributorDocument("shop", List.of("shop.test"), RoutingMethod.ROUND_ROBIN, false, backends, null,
                new HealthCheckDocument(true, HealthCheckType.HTTP, healthPath, "200-399", 5, 2000, 2, 3), null, null, 10,
                null, id, 0L, null, null).withDefaults();
    }

    DistributorDocument document(BackendDocument... backends) {
        return document(id, List.of(backends), "/");
    }

    static BackendDocument backend(String name, int port, int weight) {
        return new BackendDocument(name, "http://127.0.0.1:" + port, weight);
    }

    CompiledDistributor compile(DistributorDocument definition, CompiledDistributor previous) {
        return DistributorCompiler.compile(definition, previous, health, tokens);
    }

    static void down(BackendHealth health) {
        for (int i = 0; i < 3; i++) {
            health.recordFailure(Source.TRAFFIC, "connection refused or unreachable", null);
        }
        assertEquals(BackendHealth.Status.DOWN, health.status());
    }

    @Test
    void nothingRampsAtProcessStartOrInANewDistributor() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1), backend("b", 1002, 1)), null);
        for (CompiledBackend backend : first.backends()) {
            assertEquals(SlowStart.ALWAYS, backend.availableSince(), backend.name());
        }
        assertEquals(SlowStart.ofSeconds(10), first.slowStart());
    }

    @Test
    void anAddedBackendRampsFromTheChangeAndAReconfigurationKeepsItsRamp() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1)), null);
        long before = System.nanoTime();
        CompiledDistributor second = compile(document(backend("a", 1001, 1), backend("c", 1003, 1)), first);
        long after = System.nanoTime();
        long added = second.backend("c").availableSince();
        assertTrue(added >= before && added <= after, added + " not in [" + before + ", " + after + "]");
        assertEquals(SlowStart.ALWAYS, second.backend("a").availableSince());
        assertTrue(second.rampingUp(second.backend("c")));

        // A weight, the order, the health check (a fresh health for every backend): the ramp goes on, not again.
        CompiledDistributor third = compile(document(id, List.of(backend("c", 1003, 5), backend("a", 1001, 2)), "/health"),
                second);
        assertNotSame(second.backend("c").health(), third.backend("c").health());
        assertEquals(added, third.backend("c").availableSince());
        assertEquals(SlowStart.ALWAYS, third.backend("a").availableSince());
    }

    @Test
    void aDistributorCreatedAgainUnderItsNameStartsOver() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1)), null);
        CompiledDistributor again = compile(document(UUID.randomUUID(), List.of(backend("a", 1001, 1), backend("c", 1003, 1)),
                "/"), first);
        assertEquals(SlowStart.ALWAYS, again.backend("c").availableSince());
    }

    @Test
    void aDownBackendGivenAFreshHealthRampsAsAfterARecovery() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1), backend("b", 1002, 1)), null);
        down(first.backend("b").health());
        long before = System.nanoTime();
        CompiledDistributor moved = compile(document(backend("a", 1001, 1), backend("b", 1012, 1)), first);
        assertEquals(BackendHealth.Status.UNKNOWN, moved.backend("b").health().status());
        assertTrue(moved.backend("b").availableSince() >= before);
        // An UP backend whose URL changes: a fresh health, no ramp.
        assertEquals(SlowStart.ALWAYS, moved.backend("a").availableSince());
        CompiledDistributor upMoved = compile(document(backend("a", 1011, 1), backend("b", 1012, 1)), moved);
        assertEquals(SlowStart.ALWAYS, upMoved.backend("a").availableSince());
    }

    @Test
    void aRecoveryOfTheServerRampsTheBackendAndTheLaterStartWins() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1), backend("b", 1002, 1)), null);
        BackendHealth b = first.backend("b").health();
        down(b);
        CompiledDistributor same = compile(document(backend("a", 1001, 1), backend("b", 1002, 1)), first);
        assertSame(b, same.backend("b").health());
        assertEquals(SlowStart.ALWAYS, same.backend("b").availableSince(), "still DOWN: no ramp yet");
        b.recordSuccess(Source.PROBE, 1);
        b.recordSuccess(Source.PROBE, 1);
        assertEquals(b.availableSince(), same.backend("b").availableSince());
        assertTrue(same.rampingUp(same.backend("b")));
        assertTrue(!same.rampingUp(same.backend("a")));
    }

    @Test
    void slowStartOffRampsNothing() {
        CompiledDistributor first = compile(document(backend("a", 1001, 1)), null);
        DistributorDocument off = document(backend("a", 1001, 1), backend("c", 1003, 1));
        off = new DistributorDocument(off.name(), off.hostnames(), off.routing(), off.enabled(), off.backends(),
                off.stickySession(), off.healthCheck(), off.timeouts(), off.passHostHeader(), 0, off.tls(), off.id(),
                off.version(), null, null);
        CompiledDistributor second = compile(off, first);
        assertEquals(SlowStart.OFF, second.slowStart());
        assertTrue(!second.rampingUp(second.backend("c")));
        // The ramp start is still known, so turning slow start on at once would ramp it for the rest of its window.
        assertTrue(System.nanoTime() - second.backend("c").availableSince() < TimeUnit.SECONDS.toNanos(60));
    }
}
