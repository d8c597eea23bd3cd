package io.trafficdistributor.service;

import java.util.UUID;

/**
 * A shift as stored, with its distributor's name, id and current version beside the version the shift last wrote
 * (or started from): when the two differ, someone else has written the distributor since.
 */
public record StoredShift(UUID distributorId, String name, Shift shift, long lastVersion, long currentVersion) {
}
