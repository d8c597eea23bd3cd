package io.trafficdistributor.service;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import io.trafficdistributor.service.validation.AttemptBelowResponse;

/** Time limits of a proxied request. */
@AttemptBelowResponse
public record TimeoutsDocument(
        @NotNull @Min(100) @Max(60_000) Integer connectMillis,
        @NotNull @Min(100) @Max(3_600_000) Integer responseMillis,
        @Min(100) @Max(60_000) Integer attemptMillis) {

    static final TimeoutsDocument DEFAULTS = new TimeoutsDocument(3000, 60_000, null);

    TimeoutsDocument withDefaults() {
        return new TimeoutsDocument(
                connectMillis == null ? DEFAULTS.connectMillis() : connectMillis,
                responseMillis == null ? DEFAULTS.responseMillis() : responseMillis,
                attemptMillis);
    }
}
