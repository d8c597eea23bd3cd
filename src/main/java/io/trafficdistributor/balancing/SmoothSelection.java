package io.trafficdistributor.balancing;

import java.util.List;

/**
 * Smooth weighted selection, the algorithm NGINX uses: each pick adds every candidate's weight for this pick to its
 * running score, takes the highest, and subtracts the total from it; so 70/30 yields exactly 7 of every 10 picks
 * for the first, interleaved (a a b a a b a a b a) rather than in bursts. The weights may change from one pick to the
 * next (slow start ramps them), and the picks follow them without a reset.
 * <p>
 * O(candidates) and allocation-free per pick. Not thread-safe: its owner serialises the picks.
 */
final class SmoothSelection {

    /** Running scores, by backend index. */
    private final long[] scores;
    /** This pick's weight of each candidate, by position in the candidate list: filled by the owner before a pick. */
    final long[] weights;

    SmoothSelection(int backendCount) {
        this.scores = new long[backendCount];
        this.weights = new long[backendCount];
    }

    /** The candidate for this pick by {@link #weights}; null when every weight is 0. */
    <B extends BalancedBackend> B pick(List<B> candidates) {
        B best = null;
        long total = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            long weight = weights[i];
            if (weight <= 0) {
                continue;
            }
            B candidate = candidates.get(i);
            total += weight;
            long score = scores[candidate.index()] += weight;
            if (best == null || score > scores[best.index()]) {
                best = candidate;
            }
        }
        if (best != null) {
            scores[best.index()] -= total;
        }
        return best;
    }
}
