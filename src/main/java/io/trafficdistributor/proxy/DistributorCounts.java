package io.trafficdistributor.proxy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the proxy has counted for one distributor, by name (so a recompiled distributor goes on counting): requests
 * by backend and status class, the request duration histogram, retries, pool exhaustion and failover switches.
 * Atomic longs in one array ({@link LongCells}), a few hundred bytes for a distributor with traffic, where the Micrometer meters they replace
 * cost several kilobytes (a timer with its buckets alone about two): with 100,000 distributors that all get traffic,
 * those filled a 512 MiB heap. {@link ProxySeries} turns them into Prometheus samples when metrics are scraped.
 */
final class DistributorCounts {

    /** Upper bounds of the duration buckets, seconds (the last bucket, +Inf, is implicit). */
    static final double[] BUCKET_SECONDS = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
    private static final long[] BUCKET_NANOS = new long[BUCKET_SECONDS.length];
    static {
        for (int i = 0; i < BUCKET_SECONDS.length; i++) {
            BUCKET_NANOS[i] = (long) (BUCKET_SECONDS[i] * TimeUnit.SECONDS.toNanos(1));
        }
    }
    static final int CLASSES = 5;
    static final String[] OTHERS = { "connect", "no_response", "attempt_timeout", "pool_exhausted" };
    static final int RETRY_CONNECT = 0;
    static final int RETRY_NO_RESPONSE = 1;
    static final int RETRY_ATTEMPT_TIMEOUT = 2;
    static final int POOL_EXHAUSTED = 3;

    final String distributor;
    /** Answered requests, per backend name ({@code -}: the proxy itself); made on first use. */
    final ConcurrentMap<String, BackendCounts> requests = new ConcurrentHashMap<>(4);
    static final int BUCKETS = BUCKET_SECONDS.length + 1;
    private static final int DURATION_NANOS = BUCKETS;
    private static final int FIRST_OTHER = DURATION_NANOS + 1;
    /**
     * The counts a request adds to, in one array (one object to reach, not three): requests per duration bucket (not
     * cumulative, the last one over every bound), then the sum of the durations in nanoseconds, then {@link #OTHERS}
     * by index.
     */
    private final long[] cells = new long[FIRST_OTHER + OTHERS.length];
    /** FAILOVER switches, per backend name switched to; made on first use. */
    final ConcurrentMap<String, AtomicLong> failoversTo = new ConcurrentHashMap<>(2);

    DistributorCounts(String distributor) {
        this.distributor = distributor;
    }

    /** The request counts of that backend (or {@code -}). */
    BackendCounts requestsOf(String backend) {
        return requests.computeIfAbsent(backend, name -> new BackendCounts());
    }

    AtomicLong failoversTo(String backend) {
        return failoversTo.computeIfAbsent(backend, name -> new AtomicLong());
    }

    void duration(long nanos) {
        int bucket = 0;
        while (bucket < BUCKET_NANOS.length && nanos > BUCKET_NANOS[bucket]) {
            bucket++;
        }
        LongCells.add(cells, bucket, 1);
        LongCells.add(cells, DURATION_NANOS, nanos);
    }

    /** Requests whose duration fell in that bucket (not cumulative; {@link #BUCKETS} of them). */
    long durations(int bucket) {
        return LongCells.get(cells, bucket);
    }

    long durationNanos() {
        return LongCells.get(cells, DURATION_NANOS);
    }

    /** One more of {@link #OTHERS}[{@code other}]. */
    void countOther(int other) {
        LongCells.add(cells, FIRST_OTHER + other, 1);
    }

    long other(int other) {
        return LongCells.get(cells, FIRST_OTHER + other);
    }

    /** Forgets a backend that left the distributor. */
    void forget(String backend) {
        requests.remove(backend);
        failoversTo.remove(backend);
    }
}
