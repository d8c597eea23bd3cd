package io.trafficdistributor.health;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Health as metrics: {@code td_backend_health{backend,distributor}} per probed backend (1 UP, 0 DOWN, -1 UNKNOWN)
 * and {@code td_health_transitions_total{backend,distributor,to}} by the state entered. Labels are distributor and
 * backend names, so their number is bounded by the configuration, never by traffic.
 * <p>
 * A Prometheus collector that reads {@link HealthRegistry} when {@code /q/metrics} is scraped, rather than a
 * Micrometer gauge and counters per distributor backend: a Micrometer meter costs about a kilobyte (its ids, tags
 * and the Prometheus registry's entries), which for 100,000 distributors of two backends was most of their heap,
 * and registering one was slower than compiling the distributor. Read at scrape time, a backend costs nothing
 * here, its lines appear with its distributor and go with it, and the values are never stale.
 */
@Singleton
public class HealthMetrics {

    static final String HEALTH = "td_backend_health";
    static final String TRANSITIONS = "td_health_transitions";
    private static final String HEALTH_HELP = "Backend health: 1 UP, 0 DOWN, -1 UNKNOWN";
    private static final String TRANSITIONS_HELP = "Health transitions of a distributor's backend, by the state entered";
    private static final List<String> HEALTH_LABELS = List.of("backend", "distributor");
    private static final List<String> TRANSITION_LABELS = List.of("backend", "distributor", "to");

    private final HealthRegistry health;
    private final PrometheusMeterRegistry prometheus;
    private final Collector collector = new Scraped();

    /** Describable: registering it then asks for its names only, not for a sample of every backend. */
    private final class Scraped extends Collector implements Collector.Describable {
        @Override
        public List<MetricFamilySamples> collect() {
            return samples();
        }

        @Override
        public List<MetricFamilySamples> describe() {
            return List.of(new GaugeMetricFamily(HEALTH, HEALTH_HELP, HEALTH_LABELS),
                    new CounterMetricFamily(TRANSITIONS, TRANSITIONS_HELP, TRANSITION_LABELS));
        }
    }

    @Inject
    public HealthMetrics(HealthRegistry health, PrometheusMeterRegistry prometheus) {
        this.health = health;
        this.prometheus = prometheus;
    }

    void register(@Observes StartupEvent event) {
        prometheus.getPrometheusRegistry().register(collector);
    }

    void unregister(@Observes ShutdownEvent event) {
        prometheus.getPrometheusRegistry().unregister(collector);
    }

    /** Both families as they are now: one gauge sample per probed backend, one counter sample per state entered. */
    List<Collector.MetricFamilySamples> samples() {
        GaugeMetricFamily gauge = new GaugeMetricFamily(HEALTH, HEALTH_HELP, HEALTH_LABELS);
        CounterMetricFamily transitions = new CounterMetricFamily(TRANSITIONS, TRANSITIONS_HELP, TRANSITION_LABELS);
        for (BackendHealth backend : health.trackedBackends()) {
            if (health.isProbed(backend)) {
                gauge.addMetric(List.of(backend.backend(), backend.distributor()), value(backend.status()));
            }
            for (BackendHealth.Status to : BackendHealth.Status.values()) {
                int count = backend.transitionsTo(to);
                if (count > 0) {
                    transitions.addMetric(List.of(backend.backend(), backend.distributor(), to.name()), count);
                }
            }
        }
        List<Collector.MetricFamilySamples> families = new ArrayList<>(2);
        families.add(gauge);
        families.add(transitions);
        return families;
    }

    static double value(BackendHealth.Status status) {
        return switch (status) {
            case UP -> 1;
            case DOWN -> 0;
            case UNKNOWN -> -1;
        };
    }
}
