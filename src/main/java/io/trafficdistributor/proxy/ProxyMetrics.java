package io.trafficdistributor.proxy;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;
import io.trafficdistributor.routing.DistributorReplaced;

/**
 * The proxy's metrics, labelled by distributor, backend, status class and retry cause only: their number is
 * bounded by the configuration, never by request content (no paths, no client addresses).
 * <ul>
 * <li>{@code td_proxy_requests_total{distributor,backend,status}}: answered requests; backend {@code -} when
 * the proxy answered itself (no backend could), status {@code 2xx} … {@code 5xx}</li>
 * <li>{@code td_proxy_request_duration_seconds{distributor}}: time to the end of the response, histogram</li>
 * <li>{@code td_proxy_retries_total{distributor,cause}}: {@code connect}, {@code no_response},
 * {@code attempt_timeout}</li>
 * <li>{@code td_proxy_failovers_total{distributor,to}}: a FAILOVER distributor's traffic moved to another backend
 * (failing over, or back), counted from the responses served: the first response from {@code to} after one from
 * another backend; during a gradual fail-back (slow start) the responses of the backup it shares the traffic with
 * count no switch</li>
 * <li>{@code td_proxy_unroutable_total{reason}}: {@code no_host}, {@code bad_host} (malformed or repeated),
 * {@code unknown_host}</li>
 * <li>{@code td_proxy_client_connections}, {@code td_proxy_backend_connections}: open connections</li>
 * <li>{@code td_proxy_refused_connections_total}: client connections closed at once, over
 * {@code td.proxy.max-connections}</li>
 * <li>{@code td_proxy_rejected_requests_total{reason}}: {@code header_timeout} (no complete request head within
 * {@code td.proxy.header-timeout}), {@code body_timeout} (a request body paused longer than
 * {@code td.proxy.body-timeout}), {@code bad_framing} (conflicting Content-Lengths, Content-Length with
 * Transfer-Encoding, a coding other than chunked, a malformed chunk), {@code malformed_head} (any other head the
 * decoder refused), {@code bad_target} (a request target DESIGN §4 refuses), {@code method} (CONNECT)</li>
 * <li>{@code td_tls_handshakes_total{protocol,result}}: HTTPS handshakes; protocol {@code TLSv1.3}, {@code TLSv1.2},
 * or {@code -} when none was agreed; result {@code ok} or why it failed ({@code unrecognized_name},
 * {@code protocol_version}, {@code no_shared_cipher}, {@code timeout}, {@code closed}, {@code not_tls},
 * {@code handshake_error}, {@code other})</li>
 * <li>{@code td_proxy_requests_by_version_total{version}}: requests received, by HTTP version: {@code 1.0},
 * {@code 1.1}, {@code 2} (a stream of an HTTP/2 connection, over TLS or h2c)</li>
 * <li>{@code td_proxy_pool_exhausted_total{distributor}}: attempts that waited {@code connectMillis} for a
 * connection to a backend whose pool stayed busy</li>
 * </ul>
 * The per-distributor ones are {@link DistributorCounts}, not Micrometer meters, rendered by {@link ProxySeries} at
 * scrape time: made on a distributor's first traffic (one that gets none costs none), removed when it is deleted,
 * and found by a request on its compiled distributor, not by name. A singleton (no client proxy), because the
 * event loops read its connection counters directly.
 */
@Singleton
public class ProxyMetrics {

    static final String PROXY_ANSWERED = "-";

    private final MeterRegistry registry;
    final AtomicInteger clientConnections = new AtomicInteger();
    final AtomicInteger backendConnections = new AtomicInteger();
    private final Counter noHost;
    private final Counter unknownHost;
    private final Counter refusedConnections;
    private final Counter headerTimeouts;
    private final Counter badFraming;
    private final Counter bodyTimeouts;
    private final Counter malformedHeads;
    private final Counter badTargets;
    private final Counter refusedMethods;
    private final Counter badHost;
    private final Counter http10Requests;
    private final Counter http11Requests;
    private final Counter http2Requests;

    @Inject
    public ProxyMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        prometheus.getPrometheusRegistry().register(new ProxySeries(counts::values));
        Gauge.builder("td.proxy.client.connections", clientConnections, AtomicInteger::get)
                .description("Open client connections to the proxy listener").register(registry);
        Gauge.builder("td.proxy.backend.connections", backendConnections, AtomicInteger::get)
                .description("Open connections from the proxy to backends").register(registry);
        noHost = registry.counter("td.proxy.unroutable", "reason", "no_host");
        unknownHost = registry.counter("td.proxy.unroutable", "reason", "unknown_host");
        refusedConnections = registry.counter("td.proxy.refused.connections");
        headerTimeouts = registry.counter("td.proxy.rejected.requests", "reason", "header_timeout");
        badFraming = registry.counter("td.proxy.rejected.requests", "reason", "bad_framing");
        bodyTimeouts = registry.counter("td.proxy.rejected.requests", "reason", "body_timeout");
        malformedHeads = registry.counter("td.proxy.rejected.requests", "reason", "malformed_head");
        badTargets = registry.counter("td.proxy.rejected.requests", "reason", "bad_target");
        refusedMethods = registry.counter("td.proxy.rejected.requests", "reason", "method");
        badHost = registry.counter("td.proxy.unroutable", "reason", "bad_host");
        // A counter of its own rather than a tag on td.proxy.requests: that one is per distributor, backend and
        // status class, and a version tag would multiply it for a figure nobody slices that finely.
        http10Requests = registry.counter("td.proxy.requests.by.version", "version", "1.0");
        http11Requests = registry.counter("td.proxy.requests.by.version", "version", "1.1");
        http2Requests = registry.counter("td.proxy.requests.by.version", "version", "2");
    }

    /** A request head was received; {@code http2}: a stream of an HTTP/2 connection. */
    void request(boolean http2, boolean http10) {
        (http2 ? http2Requests : http10 ? http10Requests : http11Requests).increment();
    }

    void bodyTimeout() {
        bodyTimeouts.increment();
    }

    void malformedHead() {
        malformedHeads.increment();
    }

    void badTarget() {
        badTargets.increment();
    }

    void refusedMethod() {
        refusedMethods.increment();
    }

    void badHost() {
        badHost.increment();
    }

    void headerTimeout() {
        headerTimeouts.increment();
    }

    void badFraming() {
        badFraming.increment();
    }

    void connectionRefused() {
        refusedConnections.increment();
    }

    void noHost() {
        noHost.increment();
    }

    void unknownHost() {
        unknownHost.increment();
    }

    /**
     * The meters of one compiled distributor, kept on it (so a request reads a field, not a map). Made on its first
     * request, on the counts of its name: a recompiled distributor goes on counting where the previous form was.
     */
    DistributorMeters of(CompiledDistributor distributor) {
        return (DistributorMeters) distributor.proxyMeters(newMeters);
    }

    /** Made once: a lambda that captures this instance, written in {@link #of}, would be a new object per request. */
    private final Function<CompiledDistributor, Object> newMeters = compiled -> new DistributorMeters(
            compiled, this.counts.computeIfAbsent(compiled.name(), DistributorCounts::new));

    /**
     * A compiled distributor left the routing table: its counts go when it was deleted (or deleted and created
     * again: another id), those of its removed backends when it was edited. A scrape no longer shows them, and a
     * distributor created again under the same name counts from zero.
     */
    void replaced(@Observes DistributorReplaced change) {
        CompiledDistributor old = change.old();
        CompiledDistributor now = change.now();
        if (now == null || !now.id().equals(old.id())) {
            counts.remove(old.name());
            return;
        }
        DistributorCounts kept = counts.get(old.name());
        if (kept != null) {
            for (CompiledBackend backend : old.backends()) {
                if (now.backend(backend.name()) == null) {
                    kept.forget(backend.name());
                }
            }
        }
    }

    /** The counts of every distributor that had traffic: a live view, for {@link RequestHistory}. */
    Collection<DistributorCounts> allCounts() {
        return counts.values();
    }

    /** The request counts of one backend of a distributor (or {@code -}), or null when it had no traffic. */
    BackendCounts requestCounts(String distributor, String backend) {
        DistributorCounts of = counts.get(distributor);
        return of == null ? null : of.requests.get(backend);
    }

    /** The counts of each distributor that had traffic, by name. */
    private final ConcurrentMap<String, DistributorCounts> counts = new ConcurrentHashMap<>();

    /**
     * One compiled distributor's way to its {@link DistributorCounts}: each backend's row found once by its index
     * (several event loops may race to find it: all find the same one) and read from an array slot after that.
     * Few objects between a request and its counts: with 100,000 distributors, each is a likely cache miss.
     */
    final class DistributorMeters {
        private final DistributorCounts counts;
        private final CompiledDistributor compiled;
        /**
         * [backend index, or the last for the proxy itself]: its request counts. A plain array: a racing reader that
         * sees null looks the row up by name and finds the same one (computed once), so no atomic slot is needed.
         */
        private final BackendCounts[] requests;
        /** FAILOVER only: the backend that served the last response. */
        private final AtomicReference<CompiledBackend> servedBy = new AtomicReference<>();

        DistributorMeters(CompiledDistributor compiled, DistributorCounts counts) {
            this.counts = counts;
            this.compiled = compiled;
            this.requests = new BackendCounts[compiled.backends().size() + 1];
        }

        /** One answered request: by the backend {@code backend}, or by the proxy itself when null. */
        void answered(CompiledBackend backend, int status, long startNanos) {
            int statusClass = Math.max(1, Math.min(5, status / 100));
            int row = backend == null ? requests.length - 1 : backend.index();
            BackendCounts counted = requests[row];
            if (counted == null) {
                counted = counts.requestsOf(backend == null ? PROXY_ANSWERED : backend.name());
                requests[row] = counted;
            }
            counted.add(statusClass - 1, 1);
            counts.duration(System.nanoTime() - startNanos);
        }

        /**
         * A backend's response head is about to be relayed. Called before the response goes out, not once it is
         * sent, so that a client's next request cannot be seen first: the completions of two consecutive
         * requests handled on different event loops may run in either order, which counted one switch twice.
         */
        void responding(CompiledBackend backend, int status) {
            if (compiled.routing() == RoutingMethod.FAILOVER && status < 500) {
                CompiledBackend previous = servedBy.get();
                if (previous != backend && previous != null && backend.index() > previous.index()
                        && compiled.rampingUp(previous)) {
                    // A gradual fail-back (slow start) shares the traffic between the recovering backend and the one
                    // it takes it back from: the move back was counted once, at its first response.
                    return;
                }
                // One count per switch even when several event loops see it at once: only the winner of the swap.
                if (previous != backend && servedBy.compareAndSet(previous, backend) && previous != null) {
                    counts.failoversTo(backend.name()).incrementAndGet();
                }
            }
        }

        void poolExhausted() {
            counts.countOther(DistributorCounts.POOL_EXHAUSTED);
        }

        void retryAfterConnectFailure() {
            counts.countOther(DistributorCounts.RETRY_CONNECT);
        }

        void retryAfter(boolean attemptTimedOut) {
            counts.countOther(attemptTimedOut ? DistributorCounts.RETRY_ATTEMPT_TIMEOUT
                    : DistributorCounts.RETRY_NO_RESPONSE);
        }
    }

    private final ConcurrentMap<String, Counter> handshakes = new ConcurrentHashMap<>();

    /** One HTTPS handshake ended: {@code result} is {@code ok} or a failure reason from a fixed set. */
    void handshake(String protocol, String result) {
        handshakes.computeIfAbsent(protocol + ' ' + result, key -> Counter.builder("td_tls_handshakes_total")
                .description("HTTPS handshakes by protocol and result").tag("protocol", protocol).tag("result", result)
                .register(registry)).increment();
    }
}
