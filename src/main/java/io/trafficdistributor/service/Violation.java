package io.trafficdistributor.service;

/** One broken rule of a request: the field (as a JSON path such as {@code backends[1].url}) and why. */
public record Violation(String field, String message) {
}
