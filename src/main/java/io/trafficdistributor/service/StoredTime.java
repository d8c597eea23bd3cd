package io.trafficdistributor.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** The time a write stores (created, updated, a shift's steps), as PostgreSQL keeps it. */
final class StoredTime {

    private StoredTime() {
    }

    /**
     * Now, in UTC, to the microsecond: PostgreSQL keeps microseconds, so what a write returns is what a later read
     * gives back.
     */
    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
