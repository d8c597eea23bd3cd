package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.Predicate;

/** What the balancers' shares have in common. */
final class Shares {

    private Shares() {
    }

    /** Everything to the backend at {@code index}. */
    static double[] allTo(int count, int index) {
        double[] shares = new double[count];
        shares[index] = 1;
        return shares;
    }

    /**
     * Each backend its weight's part of the total weight (weights in list order, 0 for a backend that takes none);
     * everything to the first available backend when the total is 0, as the pick falls back to it.
     */
    static <B> double[] proportional(long[] weights, List<B> backends, Predicate<? super B> available) {
        long total = 0;
        for (long weight : weights) {
            total += weight;
        }
        if (total == 0) {
            return allTo(backends.size(), firstAvailable(backends, available));
        }
        double[] shares = new double[weights.length];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = (double) weights[i] / total;
        }
        return shares;
    }

    /**
     * The position of the first available backend; the first of all when none is available (the proxy then tries
     * them in list order).
     */
    static <B> int firstAvailable(List<B> backends, Predicate<? super B> available) {
        for (int i = 0; i < backends.size(); i++) {
            if (available.test(backends.get(i))) {
                return i;
            }
        }
        return 0;
    }
}
