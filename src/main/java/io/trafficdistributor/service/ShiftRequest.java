package io.trafficdistributor.service;

import java.util.Map;

/** The body of {@code POST …/shift}: target weights by backend name, over how long, in how many steps. */
public record ShiftRequest(Map<String, Integer> weights, Integer durationSeconds, Integer steps, Boolean abortOnDown) {
}
