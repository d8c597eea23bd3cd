package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * ROUND_ROBIN: smooth weighted round robin ({@link SmoothSelection}) by each candidate's effective weight: its
 * weight, times the part slow start gives it while it ramps up. A weight of 0 takes nothing while any candidate has
 * weight.
 */
public final class SmoothWeightedRoundRobin implements Balancer {

    private final SmoothSelection selection;
    private final SlowStart slowStart;
    private final LongSupplier clock;

    /** @param clock {@link System#nanoTime()}, read once per pick and only while slow start is on */
    public SmoothWeightedRoundRobin(int backendCount, SlowStart slowStart, LongSupplier clock) {
        this.selection = new SmoothSelection(backendCount);
        this.slowStart = slowStart;
        this.clock = clock;
    }

    @Override
    public <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        long now = slowStart.on() ? clock.getAsLong() : 0;
        B best;
        synchronized (this) {
            for (int i = 0, n = candidates.size(); i < n; i++) {
                selection.weights[i] = effectiveWeight(candidates.get(i), now);
            }
            best = selection.pick(candidates);
        }
        // Only drained (weight 0) candidates are left, e.g. on a retry: better one of them than an error.
        return best != null ? best : candidates.get(0);
    }

    /**
     * Each available backend its effective weight's part of the available effective weight. When only weight 0 is
     * available, the first available backend takes everything, as {@link #pick} falls back to it.
     */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        long now = slowStart.on() ? clock.getAsLong() : 0;
        long[] weights = new long[backends.size()];
        for (int i = 0; i < weights.length; i++) {
            B backend = backends.get(i);
            weights[i] = available.test(backend) ? effectiveWeight(backend, now) : 0;
        }
        return Shares.proportional(weights, backends, available);
    }

    private long effectiveWeight(BalancedBackend backend, long now) {
        int weight = backend.weight();
        return weight <= 0 ? 0 : (long) weight * slowStart.permille(backend, now);
    }
}
