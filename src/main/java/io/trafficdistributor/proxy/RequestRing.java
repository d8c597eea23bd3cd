package io.trafficdistributor.proxy;

/**
 * One backend's answered requests per bucket over the last few buckets, oldest first: a fixed ring of counts,
 * filled from a running total (the proxy's own request counter) at each sample.
 */
final class RequestRing {

    private final int[] counts;
    /** Where the next bucket goes; the oldest bucket is there too. */
    private int next;

    RequestRing(int buckets) {
        this.counts = new int[buckets];
    }

    /** Closes one bucket with this many requests, dropping the oldest. */
    synchronized void add(long requests) {
        counts[next] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, requests));
        next = (next + 1) % counts.length;
    }

    /** The buckets, oldest first. */
    synchronized int[] oldestFirst() {
        int[] ordered = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            ordered[i] = counts[(next + i) % counts.length];
        }
        return ordered;
    }

    /** Whether no bucket holds a request: the ring can go, a ring of zeros is what a missing one means. */
    synchronized boolean idle() {
        for (int count : counts) {
            if (count != 0) {
                return false;
            }
        }
        return true;
    }
}
