package io.trafficdistributor.balancing;

import static io.trafficdistributor.balancing.Backends.candidates;
import static io.trafficdistributor.balancing.Backends.count;
import static io.trafficdistributor.balancing.Backends.counts;
import static io.trafficdistributor.balancing.Backends.down;
import static io.trafficdistributor.balancing.Backends.picks;
import static io.trafficdistributor.balancing.Backends.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.Backends.Backend;
import io.trafficdistributor.domain.RoutingMethod;

/**
 * Every routing method under slow start, on a clock the test moves: a ramping backend's effective weight in
 * picks and shares alike, and the balancer following the ramp without being rebuilt.
 */
class SlowStartBalancingTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final SlowStart TEN_SECONDS = SlowStart.ofSeconds(10);

    final AtomicLong clock = new AtomicLong(1_000 * SECOND);

    Balancer balancer(RoutingMethod method, List<Backend> backends) {
        return Balancers.forMethod(method, backends, TEN_SECONDS, clock::get);
    }

    /** Two backends of weight 1, the second ramping since now. */
    List<Backend> secondRamping(int... weights) {
        List<Backend> backends = new ArrayList<>(weighted(weights));
        backends.set(1, backends.get(1).rampingSince(clock.get()));
        return backends;
    }

    void advance(long seconds) {
        clock.addAndGet(seconds * SECOND);
    }

    @Test
    void roundRobinDealsTheRampingBackendItsEffectiveWeightAndFollowsTheRamp() {
        List<Backend> backends = secondRamping(1, 1);
        Balancer balancer = balancer(RoutingMethod.ROUND_ROBIN, backends);
        // At the start a tenth of its weight: 1 of every 11 requests, against 1000/100.
        assertArrayEquals(new int[] {100, 10}, counts(backends, picks(balancer, backends, 110)));
        assertArrayEquals(new double[] {1000 / 1100.0, 100 / 1100.0}, balancer.shares(backends, down()), 1e-9);

        advance(5); // 550/1000: 55 of every 155
        assertArrayEquals(new int[] {100, 55}, counts(backends, picks(balancer, backends, 155)));
        assertArrayEquals(new double[] {1000 / 1550.0, 550 / 1550.0}, balancer.shares(backends, down()), 1e-9);

        advance(5); // the end of the window: its full weight, alternating exactly
        List<String> picks = picks(balancer, backends, 20);
        assertEquals(10, count(picks, "b"), picks.toString());
        assertEquals(String.join("", picks).replace("ab", "").replace("ba", ""), "", picks.toString());
        assertArrayEquals(new double[] {0.5, 0.5}, balancer.shares(backends, down()), 1e-9);
    }

    @Test
    void theRampScalesTheWeightItDoesNotReplaceIt() {
        List<Backend> backends = secondRamping(1, 3, 0);
        Balancer balancer = balancer(RoutingMethod.ROUND_ROBIN, backends);
        // 3 at a tenth is 0.3 against 1; a drained backend stays drained.
        assertArrayEquals(new double[] {1 / 1.3, 0.3 / 1.3, 0}, balancer.shares(backends, down()), 1e-9);
        assertArrayEquals(new int[] {100, 30, 0}, counts(backends, picks(balancer, backends, 130)));
    }

    @Test
    void aRampingBackendAloneTakesEverything() {
        List<Backend> backends = secondRamping(1, 1);
        Balancer balancer = balancer(RoutingMethod.ROUND_ROBIN, backends);
        assertEquals(List.of("b", "b", "b"), picks(balancer, candidates(backends, down("a")), 3));
        assertArrayEquals(new double[] {0, 1}, balancer.shares(backends, down("a")), 1e-9);
    }

    @Test
    void sharesAreWhatThePicksDealAtEveryPointOfTheRamp() {
        for (RoutingMethod method : RoutingMethod.values()) {
            for (int second = 0; second <= 10; second += 2) {
                List<Backend> backends = new ArrayList<>(weighted(5, 3, 2));
                backends.set(0, backends.get(0).rampingSince(clock.get() - second * SECOND));
                backends.set(2, backends.get(2).rampingSince(clock.get() - second / 2 * SECOND));
                for (Predicate<Backend> available : List.of(down(), down("b"), down("c"))) {
                    Balancer balancer = balancer(method, backends);
                    double[] shares = balancer.shares(backends, available);
                    int[] counts = counts(backends, picks(balancer, candidates(backends, available), 10_000));
                    for (int i = 0; i < shares.length; i++) {
                        assertEquals(shares[i], counts[i] / 10_000.0, 0.001,
                                method + " after " + second + " s, backend " + i);
                    }
                }
            }
        }
    }

    @Test
    void stickySessionsDealNewClientsByTheRampAndKeepPinnedOnes() {
        List<Backend> backends = secondRamping(1, 1);
        Balancer balancer = balancer(RoutingMethod.STICKY_SESSIONS, backends);
        assertArrayEquals(new int[] {100, 10}, counts(backends, picks(balancer, backends, 110)));
        // Pinned clients stay where they are, on either side of the ramp.
        for (int i = 0; i < 10; i++) {
            assertEquals("b", balancer.pick(backends, backends.get(1)).name());
            assertEquals("a", balancer.pick(backends, backends.get(0)).name());
        }
        assertArrayEquals(new double[] {1000 / 1100.0, 100 / 1100.0}, balancer.shares(backends, down()), 1e-9);
        advance(10);
        assertArrayEquals(new double[] {0.5, 0.5}, balancer.shares(backends, down()), 1e-9);
    }

    @Test
    void failoverFailsBackGraduallyTheBackupTakingTheRest() {
        List<Backend> backends = new ArrayList<>(weighted(1, 1, 1));
        backends.set(0, backends.get(0).rampingSince(clock.get()));
        Balancer balancer = balancer(RoutingMethod.FAILOVER, backends);
        // The recovered primary: a tenth of the requests, every tenth one; the backup the rest; the third nothing.
        List<String> picks = picks(balancer, backends, 100);
        assertArrayEquals(new int[] {10, 90, 0}, counts(backends, picks));
        for (int window = 0; window < 100; window += 10) {
            assertEquals(1, count(picks.subList(window, window + 10), "a"), picks.toString());
        }
        assertArrayEquals(new double[] {0.1, 0.9, 0}, balancer.shares(backends, down()), 1e-9);

        advance(5);
        assertArrayEquals(new int[] {55, 45, 0}, counts(backends, picks(balancer, backends, 100)));
        assertArrayEquals(new double[] {0.55, 0.45, 0}, balancer.shares(backends, down()), 1e-9);

        advance(5);
        assertEquals(List.of("a", "a", "a", "a", "a"), picks(balancer, backends, 5));
        assertArrayEquals(new double[] {1, 0, 0}, balancer.shares(backends, down()), 1e-9);
    }

    @Test
    void failoverAwayFromADownBackendStaysImmediate() {
        List<Backend> backends = weighted(1, 1, 1);
        Balancer balancer = balancer(RoutingMethod.FAILOVER, backends);
        assertEquals(List.of("b", "b", "b"), picks(balancer, candidates(backends, down("a")), 3));
        assertArrayEquals(new double[] {0, 1, 0}, balancer.shares(backends, down("a")), 1e-9);
        // Also from a primary that was ramping back when it went DOWN again.
        List<Backend> ramping = new ArrayList<>(backends);
        ramping.set(0, ramping.get(0).rampingSince(clock.get()));
        assertEquals(List.of("b", "b", "b"), picks(balancer, candidates(ramping, down("a")), 3));
        assertArrayEquals(new double[] {0, 1, 0}, balancer.shares(ramping, down("a")), 1e-9);
    }

    @Test
    void failoverWithTwoBackendsRampingEachTakesItsPartOfWhatTheOnesBeforeItLeft() {
        List<Backend> backends = new ArrayList<>(weighted(1, 1, 1));
        backends.set(0, backends.get(0).rampingSince(clock.get()));              // 100/1000
        backends.set(1, backends.get(1).rampingSince(clock.get() - 5 * SECOND)); // 550/1000 of the 900 left
        Balancer balancer = balancer(RoutingMethod.FAILOVER, backends);
        assertArrayEquals(new double[] {0.1, 0.495, 0.405}, balancer.shares(backends, down()), 1e-9);
        assertArrayEquals(new int[] {100, 495, 405}, counts(backends, picks(balancer, backends, 1000)));
    }

    @Test
    void offTheClockIsNeverRead() {
        List<Backend> backends = secondRamping(1, 1);
        for (RoutingMethod method : RoutingMethod.values()) {
            Balancer balancer = Balancers.forMethod(method, backends, SlowStart.OFF, () -> {
                throw new AssertionError("the clock was read with slow start off");
            });
            picks(balancer, backends, 3);
            balancer.shares(backends, down());
        }
        assertArrayEquals(new double[] {0.5, 0.5},
                Balancers.forMethod(RoutingMethod.ROUND_ROBIN, backends, SlowStart.OFF, clock::get).shares(backends, down()),
                1e-9);
    }
}
