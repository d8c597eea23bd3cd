package io.trafficdistributor.service;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.service.validation.StatusRanges;
import io.trafficdistributor.service.validation.TimeoutBelowInterval;

/** How the backends of a distributor are probed. */
@TimeoutBelowInterval
public record HealthCheckDocument(
        @NotNull Boolean enabled,
        @NotNull HealthCheckType type,
        @NotNull @Size(max = 2048) @Pattern(regexp = "^/[!-~]*$", message = "must be an absolute path starting with '/', of visible ASCII characters only (no spaces or control characters; percent-encode others)") String path,
        @NotNull @StatusRanges String expectedStatuses,
        @NotNull @Min(1) @Max(3600) Integer intervalSeconds,
        @NotNull @Min(100) @Max(60_000) Integer timeoutMillis,
        @NotNull @Min(1) @Max(10) Integer healthyThreshold,
        @NotNull @Min(1) @Max(10) Integer unhealthyThreshold) {

    static final HealthCheckDocument DEFAULTS = new HealthCheckDocument(true, HealthCheckType.HTTP, "/", "200-399",
            5, 2000, 2, 3);

    HealthCheckDocument withDefaults() {
        return new HealthCheckDocument(
                enabled == null ? DEFAULTS.enabled() : enabled,
                type == null ? DEFAULTS.type() : type,
                path == null ? DEFAULTS.path() : path,
                expectedStatuses == null ? DEFAULTS.expectedStatuses() : expectedStatuses.replace(" ", ""),
                intervalSeconds == null ? DEFAULTS.intervalSeconds() : intervalSeconds,
                timeoutMillis == null ? DEFAULTS.timeoutMillis() : timeoutMillis,
                healthyThreshold == null ? DEFAULTS.healthyThreshold() : healthyThreshold,
                unhealthyThreshold == null ? DEFAULTS.unhealthyThreshold() : unhealthyThreshold);
    }
}
