package io.trafficdistributor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The arithmetic of a shift's steps, without Quarkus. */
class ShiftPlanTest {

    @Test
    void stepsAreEqualAndRoundedAndTheLastIsExact() {
        ShiftPlan plan = new ShiftPlan(Map.of("blue", 100, "green", 0), Map.of("blue", 0, "green", 100), 3,
                Duration.ofSeconds(600));
        assertEquals(Map.of("blue", 100, "green", 0), plan.weightsAt(0));
        assertEquals(Map.of("blue", 67, "green", 33), plan.weightsAt(1));
        assertEquals(Map.of("blue", 33, "green", 67), plan.weightsAt(2));
        assertEquals(Map.of("blue", 0, "green", 100), plan.weightsAt(3));
        assertEquals(Duration.ofSeconds(200), plan.interval());
    }

    @Test
    void theLastStepIsTheTargetEvenWhenRoundingWouldMissIt() {
        ShiftPlan plan = new ShiftPlan(Map.of("a", 1), Map.of("a", 1000), 7, Duration.ofSeconds(7));
        assertEquals(Map.of("a", 144), plan.weightsAt(1)); // 1 + 999/7 = 143.7
        assertEquals(Map.of("a", 857), plan.weightsAt(6)); // 1 + 999*6/7 = 857.3
        assertEquals(Map.of("a", 1000), plan.weightsAt(7));
        assertEquals(Duration.ofSeconds(1), plan.interval());
    }

    @Test
    void halvesRoundUp() {
        ShiftPlan plan = new ShiftPlan(Map.of("blue", 1, "green", 0), Map.of("blue", 0, "green", 1), 2, Duration.ofSeconds(2));
        // Both keep a weight at the midpoint: never a step where no backend has any.
        assertEquals(Map.of("blue", 1, "green", 1), plan.weightsAt(1));
    }

    @Test
    void onlyBackendsWhoseWeightGrowsAreGaining() {
        ShiftPlan plan = new ShiftPlan(Map.of("blue", 100, "green", 0, "canary", 5), Map.of("blue", 0, "green", 100, "canary", 5),
                10, Duration.ofSeconds(60));
        assertEquals(Set.of("green"), plan.gaining());
    }

    @Test
    void aPlanNamesTheSameBackendsAtBothEndsAndHasSteps() {
        assertThrows(IllegalArgumentException.class,
                () -> new ShiftPlan(Map.of("a", 1), Map.of("b", 1), 1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ShiftPlan(Map.of("a", 1), Map.of("a", 2), 0, Duration.ofSeconds(1)));
    }
}
