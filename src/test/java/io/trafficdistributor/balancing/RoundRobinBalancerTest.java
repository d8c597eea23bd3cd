package io.trafficdistributor.balancing;

import static io.trafficdistributor.balancing.Backends.candidates;
import static io.trafficdistributor.balancing.Backends.count;
import static io.trafficdistributor.balancing.Backends.counts;
import static io.trafficdistributor.balancing.Backends.down;
import static io.trafficdistributor.balancing.Backends.picks;
import static io.trafficdistributor.balancing.Backends.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.Backends.Backend;
import io.trafficdistributor.domain.RoutingMethod;

/** ROUND_ROBIN: every request to the next backend by weight, smoothly; shares by weight among the available. */
class RoundRobinBalancerTest {

    static Balancer balancer(List<Backend> backends) {
        return Balancers.forMethod(RoutingMethod.ROUND_ROBIN, backends);
    }

    @Test
    void seventyThirtyIsExactlySevenOfEveryTenInterleaved() {
        List<Backend> backends = weighted(70, 30);
        List<String> picks = picks(balancer(backends), backends, 100);
        for (int window = 0; window < 100; window += 10) {
            assertEquals(7, count(picks.subList(window, window + 10), "a"), picks.toString());
        }
        String sequence = String.join("", picks);
        assertFalse(sequence.contains("aaaa"), sequence);
        assertFalse(sequence.contains("bb"), sequence);
    }

    @Test
    void aWeightOfZeroTakesNothingWhileOthersHaveWeight() {
        List<Backend> backends = weighted(1, 0, 1);
        List<String> picks = picks(balancer(backends), backends, 10);
        assertEquals(0, count(picks, "b"), picks.toString());
        assertEquals(5, count(picks, "a"), picks.toString());
    }

    @Test
    void onlyDrainedCandidatesLeftTheFirstOfThemTakesIt() {
        List<Backend> backends = weighted(5, 0, 0);
        List<String> picks = picks(balancer(backends), backends.subList(1, 3), 4);
        assertEquals(List.of("b", "b", "b", "b"), picks);
    }

    @Test
    void theCandidatesLeftShareByTheirWeights() {
        List<Backend> backends = weighted(50, 30, 20);
        Balancer balancer = balancer(backends);
        List<String> picks = picks(balancer, candidates(backends, down("a")), 50);
        assertArrayEquals(new int[] {0, 30, 20}, counts(backends, picks));
    }

    @Test
    void sharesByWeightAmongTheAvailable() {
        List<Backend> backends = weighted(70, 30, 0);
        assertArrayEquals(new double[] {0.7, 0.3, 0}, balancer(backends).shares(backends, down()), 1e-9);
        assertArrayEquals(new double[] {0, 1, 0}, balancer(backends).shares(backends, down("a")), 1e-9);

        List<Backend> three = weighted(50, 30, 20);
        assertArrayEquals(new double[] {0, 0.6, 0.4}, balancer(three).shares(three, down("a")), 1e-9);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, balancer(weighted(1, 1, 1)).shares(weighted(1, 1, 1), down()), 1e-9);
    }

    @Test
    void onlyWeightZeroAvailableTheFirstAvailableTakesEverything() {
        List<Backend> backends = weighted(5, 0, 0);
        assertArrayEquals(new double[] {0, 1, 0}, balancer(backends).shares(backends, down("a")), 1e-9);
    }

    @Test
    void allDownTheFirstTakesEverythingAsTheProxyTriesThemInOrder() {
        List<Backend> backends = weighted(30, 70);
        assertArrayEquals(new double[] {1, 0}, balancer(backends).shares(backends, down("a", "b")), 1e-9);
    }

    @Test
    void sharesAreWhatThePicksDeal() {
        List<Backend> backends = weighted(5, 3, 0, 2);
        for (Predicate<Backend> available : List.of(down(), down("a"), down("b", "d"), down("a", "b", "d"))) {
            Balancer balancer = balancer(backends);
            double[] shares = balancer.shares(backends, available);
            int[] counts = counts(backends, picks(balancer, candidates(backends, available), 1000));
            for (int i = 0; i < shares.length; i++) {
                assertEquals(shares[i], counts[i] / 1000.0, 1e-9, "backend " + i);
            }
            assertEquals(1.0, Arrays.stream(shares).sum(), 1e-9);
            assertTrue(Arrays.stream(shares).allMatch(s -> s >= 0));
        }
    }
}
