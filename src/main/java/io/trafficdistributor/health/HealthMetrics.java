package io.trafficdistributor.health;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Health as metrics: {@code td_backend_health} per probed backend (1 UP, 0 DOWN, -1 UNKNOWN) and
 * {@code td_health_transitions_total} by the state entered. Labels are distributor and backend names, so
 * their number is bounded by the configuration, never by traffic.
 */
@ApplicationScoped
public class HealthMetrics {

    private final MeterRegistry registry;
    private final Map<BackendHealth, Gauge> gauges = new ConcurrentHashMap<>();

    @Inject
    public HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void added(BackendHealth health) {
        gauges.computeIfAbsent(health, h -> Gauge.builder("td.backend.health", h, HealthMetrics::value)
                .description("Backend health: 1 UP, 0 DOWN, -1 UNKNOWN")
                .tags("distributor", h.distributor(), "backend", h.backend())
                .register(registry));
    }

    void removed(BackendHealth health) {
        Gauge gauge = gauges.remove(health);
        if (gauge != null) {
            registry.remove(gauge);
        }
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
