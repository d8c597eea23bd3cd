package io.trafficdistributor.balancing;

/** What a balancer needs to know of a backend: its position in the distributor's list, its weight, and its ramp. */
public interface BalancedBackend {

    int index();

    int weight();

    /**
     * When this backend last became available to the distributor's traffic in a way that starts a slow-start ramp
     * (a {@link System#nanoTime()} value), or {@link SlowStart#ALWAYS}. Read on every pick while slow start is on,
     * so it must be cheap.
     */
    long availableSince();
}
