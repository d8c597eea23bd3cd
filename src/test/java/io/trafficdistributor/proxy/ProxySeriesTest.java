package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

/** The per-distributor proxy series, from counts to samples, without Quarkus. */
class ProxySeriesTest {

    /** Each sample as "name{label=value,...}" → value. */
    static Map<String, Double> samples(List<MetricFamilySamples> families) {
        Map<String, Double> all = new TreeMap<>();
        for (MetricFamilySamples family : families) {
            for (Sample sample : family.samples) {
                StringBuilder key = new StringBuilder(sample.name).append('{');
                for (int i = 0; i < sample.labelNames.size(); i++) {
                    key.append(i == 0 ? "" : ",").append(sample.labelNames.get(i)).append('=').append(sample.labelValues.get(i));
                }
                all.put(key.append('}').toString(), sample.value);
            }
        }
        return all;
    }

    @Test
    void onlyWhatHappenedWithCumulativeBuckets() {
        DistributorCounts shop = new DistributorCounts("shop");
        shop.requestsOf("blue").add(1, 1); // a 2xx
        shop.requestsOf("-").add(4, 1); // the proxy's own 5xx
        shop.duration(3_000_000); // 3 ms: the first bucket
        shop.duration(5_000_000); // exactly 5 ms: still the first (le is inclusive)
        shop.duration(7_000_000); // 0.01
        shop.duration(20_000_000_000L); // over every bound
        shop.countOther(DistributorCounts.RETRY_CONNECT);
        DistributorCounts idle = new DistributorCounts("idle");

        Map<String, Double> samples = samples(new ProxySeries(() -> List.of(shop, idle)).collect());

        assertEquals(1.0, samples.get("td_proxy_requests_total{backend=blue,distributor=shop,status=2xx}"));
        assertEquals(1.0, samples.get("td_proxy_requests_total{backend=-,distributor=shop,status=5xx}"));
        assertEquals(2.0, samples.get("td_proxy_request_duration_seconds_bucket{distributor=shop,le=0.005}"));
        assertEquals(3.0, samples.get("td_proxy_request_duration_seconds_bucket{distributor=shop,le=0.01}"));
        assertEquals(3.0, samples.get("td_proxy_request_duration_seconds_bucket{distributor=shop,le=10.0}"));
        assertEquals(4.0, samples.get("td_proxy_request_duration_seconds_bucket{distributor=shop,le=+Inf}"));
        assertEquals(4.0, samples.get("td_proxy_request_duration_seconds_count{distributor=shop}"));
        assertEquals(20.015, samples.get("td_proxy_request_duration_seconds_sum{distributor=shop}"), 1e-9);
        assertEquals(1.0, samples.get("td_proxy_retries_total{cause=connect,distributor=shop}"));
        // Two request series, 12 buckets, count, sum, one retry: nothing at zero, nothing for the idle distributor.
        assertEquals(2 + 12 + 2 + 1, samples.size(), samples.toString());
    }

    @Test
    void aRemovedBackendLeavesItsSeries() {
        DistributorCounts shop = new DistributorCounts("shop");
        shop.requestsOf("blue").add(1, 1);
        shop.requestsOf("green").add(1, 1);
        shop.failoversTo("green").incrementAndGet();
        shop.forget("green");
        Map<String, Double> samples = samples(new ProxySeries(() -> List.of(shop)).collect());
        assertEquals(List.of("td_proxy_requests_total{backend=blue,distributor=shop,status=2xx}"), List.copyOf(samples.keySet()));
    }
}
