package io.trafficdistributor.proxy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 * A distributor's meters are made on its first traffic (one that gets none costs none) and removed when it is
 * deleted; a request finds them on its compiled distributor, not by name. A singleton (no client proxy), because the
 * event loops read its connection counters directly.
 */
@Singleton
public class ProxyMetrics {

    private static final Duration[] LATENCY_BUCKETS = { Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10) };
    static final String PROXY_ANSWERED = "-";
    /** Answered requests by distributor, backend and status class; {@link RequestHistory} reads their totals. */
    static final String REQUESTS = "td.proxy.requests";

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
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
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
     * request; each meter in it is registered on its first use.
     */
    DistributorMeters of(CompiledDistributor distributor) {
        return (DistributorMeters) distributor.proxyMeters(compiled -> new DistributorMeters(compiled));
    }

    /**
     * A compiled distributor left the routing table: its meters go when it was deleted (or deleted and created
     * again: another id), those of its removed backends when it was edited. A scrape no longer shows them, and a
     * distributor created again under the same name counts from zero.
     */
    void replaced(@Observes DistributorReplaced change) {
        CompiledDistributor old = change.old();
        CompiledDistributor now = change.now();
        boolean gone = now == null || !now.id().equals(old.id());
        if (gone && old.existingProxyMeters() instanceof DistributorMeters meters) {
            meters.retired = true; // requests still running on it must not register its meters again
        }
        Set<Meter> meters = byDistributor.get(old.name());
        if (meters == null) {
            return;
        }
        synchronized (meters) {
            meters.removeIf(meter -> {
                String backend = meter.getId().getTag("backend");
                boolean remove = gone || (backend != null && !backend.equals(PROXY_ANSWERED) && now.backend(backend) == null);
                if (remove) {
                    registry.remove(meter);
                }
                return remove;
            });
            if (meters.isEmpty()) {
                byDistributor.remove(old.name(), meters);
            }
        }
    }

    /** The registered meters of each distributor that had traffic, so that they can be removed with it. */
    private final ConcurrentMap<String, Set<Meter>> byDistributor = new ConcurrentHashMap<>();

    /** Keeps {@code meter} for {@link #replaced}; it is removed at once if its distributor is already gone. */
    private <M extends Meter> M registered(DistributorMeters owner, M meter) {
        Set<Meter> meters = byDistributor.computeIfAbsent(owner.distributor, name -> new HashSet<>());
        synchronized (meters) {
            meters.add(meter);
        }
        if (owner.retired) {
            registry.remove(meter);
        }
        return meter;
    }

    /**
     * One compiled distributor's meters. None exists before it is needed: a distributor that gets no traffic has no
     * meters, and one that gets some has a counter for each backend and status class that occurred, not all of
     * them. A meter is made once per compiled form (several event loops may race to make it: the registry hands all
     * of them the same one) and read from an array slot after that.
     */
    final class DistributorMeters {
        private static final int CLASSES = 5;
        private static final int RETRY_CONNECT = 0;
        private static final int RETRY_NO_RESPONSE = 1;
        private static final int RETRY_ATTEMPT_TIMEOUT = 2;
        private static final int POOL_EXHAUSTED = 3;
        private static final String[] RETRY_CAUSES = { "connect", "no_response", "attempt_timeout" };

        private final String distributor;
        private final CompiledDistributor compiled;
        /** [backend index, or the last row for the proxy itself] × status class 1xx..5xx, flattened. */
        private final AtomicReferenceArray<Counter> requests;
        /** Retries by cause, then pool exhaustion. */
        private final AtomicReferenceArray<Counter> others = new AtomicReferenceArray<>(4);
        /** FAILOVER only: switches to each backend, and the backend that served the last response. */
        private final AtomicReferenceArray<Counter> failoversTo;
        private final AtomicReference<CompiledBackend> servedBy = new AtomicReference<>();
        private volatile Timer duration;
        /** Its distributor left the table: a meter made now is removed at once. */
        volatile boolean retired;

        DistributorMeters(CompiledDistributor compiled) {
            this.distributor = compiled.name();
            this.compiled = compiled;
            int backends = compiled.backends().size();
            this.requests = new AtomicReferenceArray<>((backends + 1) * CLASSES);
            this.failoversTo = compiled.routing() == RoutingMethod.FAILOVER ? new AtomicReferenceArray<>(backends) : null;
        }

        /** One answered request: by the backend {@code backend}, or by the proxy itself when null. */
        void answered(CompiledBackend backend, int status, long startNanos) {
            int statusClass = Math.max(1, Math.min(5, status / 100));
            int row = backend == null ? compiled.backends().size() : backend.index();
            int slot = row * CLASSES + statusClass - 1;
            Counter counter = requests.get(slot);
            if (counter == null) {
                counter = registered(this, registry.counter(REQUESTS, "distributor", distributor, "backend",
                        backend == null ? PROXY_ANSWERED : backend.name(), "status", statusClass + "xx"));
                requests.set(slot, counter);
            }
            counter.increment();
            Timer timer = duration;
            if (timer == null) {
                timer = registered(this, Timer.builder("td.proxy.request.duration").tag("distributor", distributor)
                        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
                duration = timer;
            }
            timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }

        /**
         * A backend's response head is about to be relayed. Called before the response goes out, not once it is
         * sent, so that a client's next request cannot be seen first: the completions of two consecutive
         * requests handled on different event loops may run in either order, which counted one switch twice.
         */
        void responding(CompiledBackend backend, int status) {
            if (failoversTo != null && status < 500) {
                CompiledBackend previous = servedBy.get();
                if (previous != backend && previous != null && backend.index() > previous.index()
                        && compiled.rampingUp(previous)) {
                    // A gradual fail-back (slow start) shares the traffic between the recovering backend and the one
                    // it takes it back from: the move back was counted once, at its first response.
                    return;
                }
                // One count per switch even when several event loops see it at once: only the winner of the swap.
                if (previous != backend && servedBy.compareAndSet(previous, backend) && previous != null) {
                    Counter counter = failoversTo.get(backend.index());
                    if (counter == null) {
                        counter = registered(this, registry.counter("td.proxy.failovers", "distributor", distributor,
                                "to", backend.name()));
                        failoversTo.set(backend.index(), counter);
                    }
                    counter.increment();
                }
            }
        }

        void poolExhausted() {
            other(POOL_EXHAUSTED).increment();
        }

        void retryAfterConnectFailure() {
            other(RETRY_CONNECT).increment();
        }

        void retryAfter(boolean attemptTimedOut) {
            other(attemptTimedOut ? RETRY_ATTEMPT_TIMEOUT : RETRY_NO_RESPONSE).increment();
        }

        private Counter other(int slot) {
            Counter counter = others.get(slot);
            if (counter == null) {
                counter = registered(this, slot == POOL_EXHAUSTED
                        ? registry.counter("td.proxy.pool.exhausted", "distributor", distributor)
                        : registry.counter("td.proxy.retries", "distributor", distributor, "cause", RETRY_CAUSES[slot]));
                others.set(slot, counter);
            }
            return counter;
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
