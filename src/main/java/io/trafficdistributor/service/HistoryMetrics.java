package io.trafficdistributor.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes of the history's own kinds as metrics, counted on the replica that made them, after their commit:
 * {@code td_rollbacks_total{distributor}} and {@code td_shift_steps_total{distributor}} (each step of a shift, and
 * the write that restores the starting weights after an abort). Labels are distributor names: bounded by the
 * configuration.
 */
@ApplicationScoped
public class HistoryMetrics {

    @Inject
    MeterRegistry registry;

    void onCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) DistributorChanged change) {
        if (change.change() == ChangeKind.ROLLBACK) {
            registry.counter("td.rollbacks", "distributor", change.name()).increment();
        } else if (change.change() == ChangeKind.SHIFT) {
            registry.counter("td.shift.steps", "distributor", change.name()).increment();
        }
    }
}
