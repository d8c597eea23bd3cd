package io.trafficdistributor.health;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Health as metrics: {@code td_backend_health} per probed backend (1 UP, 0 DOWN, -1 UNKNOWN) and
 * {@code td_health_transitions_total} by the state entered. Labels are distributor and backend names, so
 * their number is bounded by the configuration, never by traffic.
 * <p>
 * Gauges are registered and removed on a thread of their own, in order: registering a Micrometer meter is
 * slow next to compiling a distributor (most of a 10,000-distributor load was spent there), and neither a
 * restart nor an API write should wait for it. A gauge therefore appears a moment after its backend.
 */
@ApplicationScoped
public class HealthMetrics {

    private final MeterRegistry registry;
    private final Map<BackendHealth, Gauge> gauges = new ConcurrentHashMap<>();
    private final ExecutorService registrar = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "td-health-gauges");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void added(BackendHealth health) {
        registrar.execute(() -> gauges.computeIfAbsent(health, h -> Gauge.builder("td.backend.health", h, HealthMetrics::value)
                .description("Backend health: 1 UP, 0 DOWN, -1 UNKNOWN")
                .tags("distributor", h.distributor(), "backend", h.backend())
                .register(registry)));
    }

    void removed(BackendHealth health) {
        registrar.execute(() -> {
            Gauge gauge = gauges.remove(health);
            if (gauge != null) {
                registry.remove(gauge);
            }
        });
    }

    @PreDestroy
    void stop() {
        registrar.shutdownNow();
    }

    void transition(BackendHealth health, BackendHealth.Status to) {
        registry.counter("td.health.transitions", "distributor", health.distributor(), "backend", health.backend(),
                "to", to.name()).increment();
    }

    private static double value(BackendHealth health) {
        return switch (health.status()) {
            case UP -> 1;
            case DOWN -> 0;
            case UNKNOWN -> -1;
        };
    }
}
