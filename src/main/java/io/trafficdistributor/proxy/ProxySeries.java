package io.trafficdistributor.proxy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

/**
 * The per-distributor {@code td_proxy_*} series, rendered from {@link DistributorCounts} when {@code /q/metrics} is
 * scraped: requests, the duration histogram, retries, pool exhaustion, failovers. Names and labels are those the
 * Micrometer meters had (labels in their sorted order); only the series of what happened are shown, so a distributor
 * without traffic has none.
 */
final class ProxySeries extends Collector implements Collector.Describable {

    static final String REQUESTS = "td_proxy_requests";
    static final String DURATION = "td_proxy_request_duration_seconds";
    static final String RETRIES = "td_proxy_retries";
    static final String POOL_EXHAUSTED = "td_proxy_pool_exhausted";
    static final String FAILOVERS = "td_proxy_failovers";
    private static final String[] LE = new String[DistributorCounts.BUCKET_SECONDS.length + 1];
    static {
        for (int i = 0; i < DistributorCounts.BUCKET_SECONDS.length; i++) {
            LE[i] = Collector.doubleToGoString(DistributorCounts.BUCKET_SECONDS[i]);
        }
        LE[LE.length - 1] = "+Inf";
    }

    private final Supplier<Collection<DistributorCounts>> counts;

    ProxySeries(Supplier<Collection<DistributorCounts>> counts) {
        this.counts = counts;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return families();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> families = families();
        CounterMetricFamily requests = (CounterMetricFamily) families.get(0);
        MetricFamilySamples duration = families.get(1);
        CounterMetricFamily retries = (CounterMetricFamily) families.get(2);
        CounterMetricFamily poolExhausted = (CounterMetricFamily) families.get(3);
        CounterMetricFamily failovers = (CounterMetricFamily) families.get(4);
        for (DistributorCounts c : counts.get()) {
            String name = c.distributor;
            c.requests.forEach((backend, row) -> {
                for (int i = 0; i < DistributorCounts.CLASSES; i++) {
                    long count = row.count(i);
                    if (count > 0) {
                        requests.addMetric(List.of(backend, name, (i + 1) + "xx"), count);
                    }
                }
            });
            long total = 0;
            for (int i = 0; i < DistributorCounts.BUCKETS; i++) {
                total += c.durations(i);
            }
            if (total > 0) {
                long cumulative = 0;
                for (int i = 0; i < DistributorCounts.BUCKETS; i++) {
                    cumulative += c.durations(i);
                    duration.samples.add(new MetricFamilySamples.Sample(DURATION + "_bucket", List.of("distributor", "le"),
                            List.of(name, LE[i]), cumulative));
                }
                duration.samples.add(new MetricFamilySamples.Sample(DURATION + "_count", List.of("distributor"),
                        List.of(name), cumulative));
                duration.samples.add(new MetricFamilySamples.Sample(DURATION + "_sum", List.of("distributor"),
                        List.of(name), c.durationNanos() / (double) TimeUnit.SECONDS.toNanos(1)));
            }
            for (int i = 0; i <= DistributorCounts.RETRY_ATTEMPT_TIMEOUT; i++) {
                long count = c.other(i);
                if (count > 0) {
                    retries.addMetric(List.of(DistributorCounts.OTHERS[i], name), count);
                }
            }
            long exhausted = c.other(DistributorCounts.POOL_EXHAUSTED);
            if (exhausted > 0) {
                poolExhausted.addMetric(List.of(name), exhausted);
            }
            c.failoversTo.forEach((to, count) -> failovers.addMetric(List.of(name, to), count.get()));
        }
        return families;
    }

    private static List<MetricFamilySamples> families() {
        List<MetricFamilySamples> families = new ArrayList<>(5);
        families.add(new CounterMetricFamily(REQUESTS, "Answered requests", List.of("backend", "distributor", "status")));
        families.add(new MetricFamilySamples(DURATION, Type.HISTOGRAM, "Time to the end of the response",
                new ArrayList<>()));
        families.add(new CounterMetricFamily(RETRIES, "Attempts retried on another backend", List.of("cause", "distributor")));
        families.add(new CounterMetricFamily(POOL_EXHAUSTED, "Attempts that waited for a busy backend pool",
                List.of("distributor")));
        families.add(new CounterMetricFamily(FAILOVERS, "A FAILOVER distributor's traffic moved to another backend",
                List.of("distributor", "to")));
        return families;
    }
}
