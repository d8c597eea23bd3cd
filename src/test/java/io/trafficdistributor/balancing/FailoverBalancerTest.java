package io.trafficdistributor.balancing;

import static io.trafficdistributor.balancing.Backends.candidates;
import static io.trafficdistributor.balancing.Backends.down;
import static io.trafficdistributor.balancing.Backends.picks;
import static io.trafficdistributor.balancing.Backends.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.Backends.Backend;
import io.trafficdistributor.domain.RoutingMethod;

/** FAILOVER: the first backend in the list that may take traffic takes all of it; weights are ignored. */
class FailoverBalancerTest {

    static final Balancer FAILOVER = Balancers.forMethod(RoutingMethod.FAILOVER, weighted(1, 1, 1));

    @Test
    void thePrimaryTakesEverythingWhateverTheWeights() {
        List<Backend> backends = weighted(1, 1000, 1000);
        assertEquals(List.of("a", "a", "a", "a"), picks(FAILOVER, backends, 4));
        assertArrayEquals(new double[] {1, 0, 0}, FAILOVER.shares(backends, down()), 1e-9);
    }

    @Test
    void thePrimaryDownTheNextInListOrderTakesEverythingAndTrafficFailsBackWhenItReturns() {
        List<Backend> backends = weighted(1, 1, 1);
        assertEquals(List.of("b", "b"), picks(FAILOVER, candidates(backends, down("a")), 2));
        assertArrayEquals(new double[] {0, 1, 0}, FAILOVER.shares(backends, down("a")), 1e-9);
        assertEquals(List.of("c"), picks(FAILOVER, candidates(backends, down("a", "b")), 1));
        assertArrayEquals(new double[] {0, 0, 1}, FAILOVER.shares(backends, down("a", "b")), 1e-9);
        // Back: no state to reset.
        assertEquals(List.of("a"), picks(FAILOVER, backends, 1));
        assertArrayEquals(new double[] {1, 0, 0}, FAILOVER.shares(backends, down()), 1e-9);
    }

    @Test
    void aStickyAffinityMeansNothingToFailover() {
        List<Backend> backends = weighted(1, 1);
        assertEquals("a", FAILOVER.pick(backends, backends.get(1)).name());
    }

    @Test
    void allDownTheFirstTakesEverythingAsTheProxyTriesThemInOrder() {
        List<Backend> backends = weighted(1, 1, 1);
        assertArrayEquals(new double[] {1, 0, 0}, FAILOVER.shares(backends, down("a", "b", "c")), 1e-9);
    }
}
