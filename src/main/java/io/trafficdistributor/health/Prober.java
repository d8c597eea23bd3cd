package io.trafficdistributor.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;
import io.trafficdistributor.config.TdConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Schedules the active health probes; the checks ({@link HttpCheck}, {@link TcpCheck}) do the checking. A
 * scheduler tick finds the health states that are due and starts their checks, never more than
 * {@code td.health.max-concurrent-probes} at once. A state stands for one backend URL and health check,
 * whichever distributors use them (see {@link HealthRegistry}), so a server is probed once for all. Probes run
 * non-blocking on an event loop of their own (a Vert.x instance of one thread, for its transport and DNS resolver),
 * with a fresh connection each on bare Netty ({@link ProbeTransport}): proxy load on the proxy's event loops cannot
 * delay them, and a probe never rides on a pooled connection that live traffic keeps alive.
 */
@ApplicationScoped
public class Prober {

    @Inject
    HealthRegistry registry;

    private final int maxConcurrent;
    private final Vertx vertx;
    private final BackendCheck http;
    private final BackendCheck tcp;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile boolean closed;

    @Inject
    public Prober(TdConfig config) {
        this.maxConcurrent = config.health().maxConcurrentProbes();
        // Its own event loop, on the proxy's transport (epoll on Linux): proxy load cannot delay a probe.
        this.vertx = newVertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));
        // Named, so that thread dumps and per-thread CPU tell it from Quarkus's event loops (same default name).
        vertx.runOnContext(v -> Thread.currentThread().setName("td-prober"));
        ProbeTransport transport = ProbeTransport.of(vertx, config.proxy().tls().trustCertificates());
        this.http = new HttpCheck(transport);
        this.tcp = new TcpCheck(transport);
    }

    /**
     * Creates the probes' own Vert.x on a plain thread: this bean is first used on a thread of Quarkus's Vert.x,
     * where Vert.x would log a warning about creating a second instance from inside the first.
     */
    private static Vertx newVertx(VertxOptions options) {
        CompletableFuture<Vertx> created = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                created.complete(Vertx.vertx(options));
            } catch (RuntimeException | Error e) {
                created.completeExceptionally(e);
            }
        }, "td-prober-init");
        thread.start();
        return created.join();
    }

    @PreDestroy
    void close() throws Exception {
        closed = true; // before the clients close: a tick running now starts nothing more
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Starts the probes that are due, most overdue first, so that with more due than the concurrency limit
     * allows, every backend gets its turn; the rest wait for the next tick.
     */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        long now = System.currentTimeMillis();
        List<HealthState> due = new ArrayList<>();
        for (HealthState state : registry.probed()) {
            if (state.dueForProbe(now)) {
                due.add(state);
            }
        }
        if (due.size() > maxConcurrent - inFlight.get()) {
            due.sort(Comparator.comparingLong(HealthState::nextProbeAt));
        }
        startWhileSlotsFree(due, now);
    }

    /**
     * Probes new or changed backends at once rather than at the next tick, as far as the concurrency limit
     * allows; the tick takes the rest.
     */
    void probeNow(Collection<HealthState> added) {
        startWhileSlotsFree(added, System.currentTimeMillis());
    }

    /** Starts the due probes among these, in their order, until the concurrency limit is reached. */
    private void startWhileSlotsFree(Collection<HealthState> states, long now) {
        for (HealthState state : states) {
            if (!tryStart(state, now)) {
                return;
            }
        }
    }

    /** Starts the probe if it is still due; false when no probe slot is free. */
    private boolean tryStart(HealthState state, long now) {
        if (closed) {
            return false;
        }
        int running;
        do {
            running = inFlight.get();
            if (running >= maxConcurrent) {
                return false;
            }
        } while (!inFlight.compareAndSet(running, running + 1));
        if (state.claimProbe(now)) {
            mostInFlight.accumulateAndGet(running + 1, Math::max);
            start(state);
        } else {
            inFlight.decrementAndGet();
        }
        return true;
    }

    /** The most probes that were ever in flight at once (for tests and metrics). */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    private void start(HealthState state) {
        long started = System.nanoTime();
        ProbeSettings settings = state.settings();
        BackendCheck check = switch (settings.type()) {
            case HTTP -> http;
            case TCP -> tcp;
        };
        check.check(state.target(), settings).onComplete(result -> {
            inFlight.decrementAndGet();
            if (closed) {
                return; // cut short by the shutdown: says nothing about the backend
            }
            long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (result.succeeded()) {
                state.recordSuccess(BackendHealth.Source.PROBE, latency);
            } else {
                state.recordFailure(BackendHealth.Source.PROBE, ConnectFailures.describe(result.cause(), state.target().host()), latency);
            }
        });
    }
}
