package io.trafficdistributor.balancing;

import static io.trafficdistributor.balancing.Backends.candidates;
import static io.trafficdistributor.balancing.Backends.count;
import static io.trafficdistributor.balancing.Backends.counts;
import static io.trafficdistributor.balancing.Backends.down;
import static io.trafficdistributor.balancing.Backends.picks;
import static io.trafficdistributor.balancing.Backends.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.Backends.Backend;
import io.trafficdistributor.domain.RoutingMethod;

/** STICKY_SESSIONS: new clients by weight, pinned clients stay while their backend may take traffic. */
class StickySessionsBalancerTest {

    static Balancer balancer(List<Backend> backends) {
        return Balancers.forMethod(RoutingMethod.STICKY_SESSIONS, backends);
    }

    @Test
    void newClientsAreAssignedByWeight() {
        List<Backend> backends = weighted(70, 30);
        List<String> picks = picks(balancer(backends), backends, 100);
        assertEquals(70, count(picks, "a"));
        assertEquals(30, count(picks, "b"));
    }

    @Test
    void aPinnedClientKeepsItsBackendWhateverTheWeights() {
        List<Backend> backends = weighted(100, 1);
        Balancer balancer = balancer(backends);
        for (int i = 0; i < 10; i++) {
            assertEquals("b", balancer.pick(backends, backends.get(1)).name());
        }
    }

    @Test
    void weightZeroDrainsNewClientsGoElsewherePinnedOnesStay() {
        List<Backend> backends = weighted(0, 1);
        Balancer balancer = balancer(backends);
        assertEquals(List.of("b", "b", "b"), picks(balancer, backends, 3));
        assertEquals("a", balancer.pick(backends, backends.get(0)).name());
    }

    @Test
    void aClientPinnedToAnUnavailableBackendIsReassignedByWeight() {
        List<Backend> backends = weighted(1, 3, 1);
        Balancer balancer = balancer(backends);
        List<Backend> candidates = candidates(backends, down("a"));
        int[] counts = new int[3];
        for (int i = 0; i < 40; i++) {
            counts[balancer.pick(candidates, backends.get(0)).index()]++;
        }
        assertArrayEquals(new int[] {0, 30, 10}, counts);
    }

    @Test
    void sharesAreThoseOfNewClientsByWeight() {
        List<Backend> backends = weighted(70, 30, 0);
        assertArrayEquals(new double[] {0.7, 0.3, 0}, balancer(backends).shares(backends, down()), 1e-9);
        assertArrayEquals(new double[] {0, 1, 0}, balancer(backends).shares(backends, down("a")), 1e-9);
        assertArrayEquals(new double[] {1, 0, 0}, balancer(backends).shares(backends, down("b", "c")), 1e-9);
    }

    @Test
    void allDownTheFirstTakesEverythingAsTheProxyTriesThemInOrder() {
        List<Backend> backends = weighted(1, 1);
        assertArrayEquals(new double[] {1, 0}, balancer(backends).shares(backends, down("a", "b")), 1e-9);
    }

    @Test
    void sharesAreWhatNewClientsGet() {
        List<Backend> backends = weighted(2, 0, 3, 5);
        for (Predicate<Backend> available : List.of(down(), down("d"), down("a", "c", "d"))) {
            Balancer balancer = balancer(backends);
            double[] shares = balancer.shares(backends, available);
            int[] counts = counts(backends, picks(balancer, candidates(backends, available), 1000));
            for (int i = 0; i < shares.length; i++) {
                assertEquals(shares[i], counts[i] / 1000.0, 1e-9, "backend " + i);
            }
        }
    }
}
