package io.trafficdistributor.balancing;

/** What a balancer needs to know of a backend: its position in the distributor's list and its weight. */
public interface BalancedBackend {

    int index();

    int weight();
}
