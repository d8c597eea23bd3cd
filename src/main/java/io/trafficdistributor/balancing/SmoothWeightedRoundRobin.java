package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.Predicate;

/**
 * ROUND_ROBIN: smooth weighted round robin, the algorithm NGINX uses. Each pick adds every candidate's weight
 * to its running score, takes the highest, and subtracts the total from it; so 70/30 yields exactly 7 of
 * every 10 picks for the first, interleaved (a a b a a b a a b a) rather than in bursts. A weight of 0 takes
 * nothing while any candidate has weight.
 */
public final class SmoothWeightedRoundRobin implements Balancer {

    private final int[] scores;

    public SmoothWeightedRoundRobin(int backendCount) {
        this.scores = new int[backendCount];
    }

    @Override
    public synchronized <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        B best = null;
        int total = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            B candidate = candidates.get(i);
            int weight = candidate.weight();
            if (weight <= 0) {
                continue;
            }
            total += weight;
            int score = scores[candidate.index()] += weight;
            if (best == null || score > scores[best.index()]) {
                best = candidate;
            }
        }
        if (best == null) {
            // Only drained (weight 0) candidates are left, e.g. on a retry: better one of them than an error.
            return candidates.get(0);
        }
        scores[best.index()] -= total;
        return best;
    }

    /**
     * Each available backend its weight's part of the available weight. When only weight 0 is available, the first
     * available backend takes everything, as {@link #pick} falls back to it.
     */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        long total = 0;
        for (B backend : backends) {
            if (available.test(backend) && backend.weight() > 0) {
                total += backend.weight();
            }
        }
        if (total == 0) {
            return Shares.allTo(backends.size(), Shares.firstAvailable(backends, available));
        }
        double[] shares = new double[backends.size()];
        for (int i = 0; i < shares.length; i++) {
            B backend = backends.get(i);
            if (available.test(backend) && backend.weight() > 0) {
                shares[i] = (double) backend.weight() / total;
            }
        }
        return shares;
    }
}
