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
