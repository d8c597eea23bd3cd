package io.trafficdistributor.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;

/**
 * Requests per backend over the last {@link #BUCKETS} buckets of {@link #BUCKET_SECONDS} seconds (5 minutes), for
 * the console's chart. It adds nothing to the proxy's hot path: every {@value #BUCKET_SECONDS} s it reads the
 * running totals of the proxy's own request counts behind {@code td_proxy_requests_total} (one increment per answered
 * request, {@link ProxyMetrics}) and keeps what each backend's total grew by in a small ring beside those counts
 * ({@link BackendCounts}). A sample walks the counts in place and builds no collection of them: with 100,000
 * distributors, maps of every backend's total every ten seconds were most of the service's idle CPU and kept the
 * collector busy. Rings exist only for backends that had traffic in the window, so idle distributors cost nothing
 * here; counts removed with their distributor (or backend) take their ring with them, so one created again under
 * the same names counts from zero as new.
 * <p>
 * Per process: each replica counts the requests its own proxy answered.
 */
@ApplicationScoped
public class RequestHistory {

    public static final int BUCKET_SECONDS = 10;
    public static final int BUCKETS = 30;

    @Inject
    ProxyMetrics metrics;

    private volatile long sampledAtMillis = System.currentTimeMillis();

    /** Closes a bucket: each backend's requests since the previous sample. */
    @Scheduled(every = BUCKET_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void sample() {
        for (DistributorCounts distributor : metrics.allCounts()) {
            distributor.requests.forEach(RequestHistory::closeBucket);
        }
        sampledAtMillis = System.currentTimeMillis();
    }

    private static void closeBucket(String backend, BackendCounts counts) {
        if (!backend.equals(ProxyMetrics.PROXY_ANSWERED)) {
            counts.closeBucket(BUCKETS);
        }
    }

    /** Requests per second of one backend in each bucket, oldest first ({@link #BUCKETS} values). */
    public double[] requestsPerSecond(String distributor, String backend) {
        double[] rates = new double[BUCKETS];
        BackendCounts counts = metrics.requestCounts(distributor, backend);
        int[] buckets = counts == null ? null : counts.bucketsOldestFirst();
        if (buckets != null) {
            for (int i = 0; i < BUCKETS; i++) {
                rates[i] = buckets[i] / (double) BUCKET_SECONDS;
            }
        }
        return rates;
    }

    /** When the newest bucket closed (epoch milliseconds). */
    public long sampledAtMillis() {
        return sampledAtMillis;
    }
}
