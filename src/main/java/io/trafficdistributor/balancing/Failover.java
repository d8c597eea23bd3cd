package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * FAILOVER: list order is priority, so the first candidate takes everything. When a higher-priority backend
 * becomes a candidate again, it is first again: fail-back needs no state, and failing over away from a backend
 * that is no candidate any more (DOWN) is immediate. Weights are ignored.
 * <p>
 * With slow start, fail-back is gradual: each candidate in list order takes the part of the traffic its ramp gives it
 * ({@link SlowStart#permille}) of what the candidates before it left, and the last takes the rest. So a primary that
 * has just recovered takes a tenth of the requests, growing to all of them over the window, and the backup that was
 * serving takes the rest; with no ramp under way the first candidate takes everything, as without slow start. The
 * requests are dealt by smooth weighted selection on those parts, so the split holds over short windows too.
 */
public final class Failover implements Balancer {

    private final SmoothSelection selection;
    private final SlowStart slowStart;
    private final LongSupplier clock;

    /** @param clock {@link System#nanoTime()}, read once per pick and only while slow start is on */
    public Failover(int backendCount, SlowStart slowStart, LongSupplier clock) {
        this.selection = new SmoothSelection(backendCount);
        this.slowStart = slowStart;
        this.clock = clock;
    }

    @Override
    public <B extends BalancedBackend> B pick(List<B> candidates, B affinity) {
        B first = candidates.get(0);
        if (!slowStart.on() || candidates.size() == 1) {
            return first;
        }
        long now = clock.getAsLong();
        if (slowStart.permille(first, now) == SlowStart.FULL) {
            return first; // the common case: no fail-back under way, no lock taken
        }
        synchronized (this) {
            long left = SlowStart.FULL;
            int last = candidates.size() - 1;
            for (int i = 0; i <= last; i++) {
                long part = i == last ? left : left * slowStart.permille(candidates.get(i), now) / SlowStart.FULL;
                selection.weights[i] = part;
                left -= part;
            }
            return selection.pick(candidates);
        }
    }

    /** Each available backend its part of what the available ones before it left; the last available takes the rest. */
    @Override
    public <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available) {
        long now = slowStart.on() ? clock.getAsLong() : 0;
        long[] parts = new long[backends.size()];
        long left = SlowStart.FULL;
        int lastAvailable = -1;
        for (int i = 0; i < parts.length; i++) {
            B backend = backends.get(i);
            if (available.test(backend)) {
                parts[i] = left * slowStart.permille(backend, now) / SlowStart.FULL;
                left -= parts[i];
                lastAvailable = i;
            }
        }
        if (lastAvailable >= 0) {
            parts[lastAvailable] += left;
        }
        return Shares.proportional(parts, backends, available);
    }
}
