package io.trafficdistributor.service;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The arithmetic of a gradual shift: {@code steps} equal steps from the weights it started from to the target
 * weights, {@code duration} apart in total. Step {@code i} of {@code n} sets each weight to
 * {@code round(from + (to - from) * i / n)}, so the last step is exactly the target.
 */
public record ShiftPlan(Map<String, Integer> from, Map<String, Integer> to, int steps, Duration duration) {

    public ShiftPlan {
        if (!from.keySet().equals(to.keySet())) {
            throw new IllegalArgumentException("a shift names the same backends at its start and its end");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("a shift has at least one step");
        }
        from = Map.copyOf(from);
        to = Map.copyOf(to);
    }

    /** The weights of the shifted backends after {@code step} steps (0: the start). */
    public Map<String, Integer> weightsAt(int step) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> target : to.entrySet()) {
            int start = from.get(target.getKey());
            weights.put(target.getKey(), step >= steps ? target.getValue()
                    : start + (int) Math.round((target.getValue() - start) * (double) step / steps));
        }
        return weights;
    }

    /** The time between two steps. */
    public Duration interval() {
        return duration.dividedBy(steps);
    }

    /** The backends whose weight grows: those whose going DOWN aborts a shift with {@code abortOnDown}. */
    public Set<String> gaining() {
        return to.entrySet().stream().filter(e -> e.getValue() > from.get(e.getKey())).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }
}
