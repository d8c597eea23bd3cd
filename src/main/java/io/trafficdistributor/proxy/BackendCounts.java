package io.trafficdistributor.proxy;

/**
 * One backend's answered requests in a distributor, by status class, and the recent history of them that
 * {@link RequestHistory} keeps here, beside the counts it reads: closing a bucket then touches this object only,
 * and builds no map of every backend (with 100,000 distributors, maps of 200,000 entries every ten seconds kept the
 * collector busy).
 */
final class BackendCounts {

    /** Answered requests by status class 1xx..5xx ({@link LongCells}). */
    private final long[] classes = new long[DistributorCounts.CLASSES];
    /** The total at the last closed bucket; only the thread closing buckets reads and writes it, under its lock. */
    private long sampledTotal;
    /** Requests per bucket while the window holds any, else null: an idle backend costs no ring. */
    private volatile RequestRing ring;

    /** Adds answered requests of that status class (0 for 1xx .. 4 for 5xx). */
    void add(int statusClass, long requests) {
        LongCells.add(classes, statusClass, requests);
    }

    /** Answered requests of that status class (0 for 1xx .. 4 for 5xx). */
    long count(int statusClass) {
        return LongCells.get(classes, statusClass);
    }

    /** Answered requests, every status class. */
    long total() {
        long sum = 0;
        for (int i = 0; i < classes.length; i++) {
            sum += count(i);
        }
        return sum;
    }

    /**
     * Closes a bucket with what the total grew by since the previous one (all of it, the first time: the counts
     * were made by a request since then). A ring of {@code buckets} is made on the first growth and dropped once
     * every bucket in it is empty. One caller at a time.
     */
    void closeBucket(int buckets) {
        long total = total();
        long grown = total - sampledTotal;
        sampledTotal = total;
        RequestRing current = ring;
        if (current == null) {
            if (grown <= 0) {
                return;
            }
            current = new RequestRing(buckets);
            current.add(grown);
            ring = current;
            return;
        }
        current.add(grown);
        if (current.idle()) {
            ring = null;
        }
    }

    /** The requests of each bucket, oldest first; null when the window holds none. */
    int[] bucketsOldestFirst() {
        RequestRing current = ring;
        return current == null ? null : current.oldestFirst();
    }
}
