package io.trafficdistributor.service;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A distributor's gradual shift as the API shows it: the target {@code weights} and those it started from, the
 * steps done of {@code steps}, when the next one is due (null once it has ended), and why it ended if it did not
 * complete.
 */
public record Shift(ShiftState state, Map<String, Integer> weights, Map<String, Integer> startWeights,
        int durationSeconds, int steps, int step, boolean abortOnDown, OffsetDateTime startedAt,
        OffsetDateTime nextStepAt, OffsetDateTime endedAt, String reason) {

    /** The same shift after {@code done} steps, the next due at {@code next}; completed after the last. */
    Shift advanced(int done, OffsetDateTime next, OffsetDateTime now) {
        boolean last = done >= steps;
        return new Shift(last ? ShiftState.COMPLETED : ShiftState.RUNNING, weights, startWeights, durationSeconds, steps,
                done, abortOnDown, startedAt, last ? null : next, last ? now : null, null);
    }

    /** The same shift ended in {@code end} at {@code now}, for {@code why}. */
    Shift ended(ShiftState end, OffsetDateTime now, String why) {
        return new Shift(end, weights, startWeights, durationSeconds, steps, step, abortOnDown, startedAt, null, now, why);
    }

    /** The arithmetic of its steps. */
    public ShiftPlan plan() {
        return new ShiftPlan(startWeights, weights, steps, java.time.Duration.ofSeconds(durationSeconds));
    }
}
