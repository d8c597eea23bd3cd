package io.trafficdistributor.service;

import java.util.List;

/** One page of a listing and the total number of items across all pages. */
public record Page<T>(List<T> items, long total, int limit, int offset) {
}
