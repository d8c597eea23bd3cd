package io.trafficdistributor.proxy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;

/**
 * Requests per backend over the last {@link #BUCKETS} buckets of {@link #BUCKET_SECONDS} seconds (5 minutes), for
 * the console's chart. It adds nothing to the proxy's hot path: every {@value #BUCKET_SECONDS} s it reads the
 * running totals of the proxy's own request counts behind {@code td_proxy_requests_total} (one increment per answered request,
 * {@link ProxyMetrics}) and keeps what each backend's total grew by in a small ring. Rings exist only for
 * backends that had traffic in the window, so ten thousand idle distributors cost nothing here.
 * <p>
 * Per process: each replica counts the requests its own proxy answered.
 */
@ApplicationScoped
public class RequestHistory {

    public static final int BUCKET_SECONDS = 10;
    public static final int BUCKETS = 30;

    private record Key(String distributor, String backend) {
    }

    @Inject
    ProxyMetrics metrics;

    /**
     * Each counted backend's total at the last sample. Counts removed with their distributor (or backend) leave
     * here at the next sample, so one created again under the same names counts from zero as new.
     */
    private final Map<Key, Long> totals = new HashMap<>();
    private final Map<Key, RequestRing> rings = new ConcurrentHashMap<>();
    private volatile long sampledAtMillis = System.currentTimeMillis();

    /** Closes a bucket: each backend's requests since the previous sample. */
    @Scheduled(every = BUCKET_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void sample() {
        Map<Key, Long> now = new HashMap<>();
        metrics.requestTotals().forEach((distributor, backends) -> backends.forEach(
                (backend, total) -> now.put(new Key(distributor, backend), total)));
        totals.keySet().retainAll(now.keySet());
        Map<Key, Long> grown = new HashMap<>();
        now.forEach((key, total) -> {
            Long before = totals.put(key, total);
            // A counter not seen before was made by a request since the previous sample: all of it is new.
            long delta = total - (before == null ? 0 : before);
            if (delta > 0) {
                grown.put(key, delta);
                rings.computeIfAbsent(key, k -> new RequestRing(BUCKETS));
            }
        });
        rings.forEach((key, ring) -> ring.add(grown.getOrDefault(key, 0L)));
        rings.values().removeIf(RequestRing::idle);
        sampledAtMillis = System.currentTimeMillis();
    }

    /** Requests per second of one backend in each bucket, oldest first ({@link #BUCKETS} values). */
    public double[] requestsPerSecond(String distributor, String backend) {
        double[] rates = new double[BUCKETS];
        RequestRing ring = rings.get(new Key(distributor, backend));
        if (ring != null) {
            int[] counts = ring.oldestFirst();
            for (int i = 0; i < BUCKETS; i++) {
                rates[i] = counts[i] / (double) BUCKET_SECONDS;
            }
        }
        return rates;
    }

    /** When the newest bucket closed (epoch milliseconds). */
    public long sampledAtMillis() {
        return sampledAtMillis;
    }
}
