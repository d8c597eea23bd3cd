package io.trafficdistributor.service;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.trafficdistributor.service.validation.BackendUrl;

/** One backend as the API shows it. */
public record BackendDocument(
        @NotNull @Pattern(regexp = "^[A-Za-z0-9_.-]{1,63}$", message = "must be 1 to 63 letters, digits, '_', '.' or '-'") String name,
        @NotNull @Size(max = BackendDocument.MAX_URL_LENGTH, message = "must be at most 2048 characters") @BackendUrl String url,
        @NotNull @Min(0) @Max(1000) Integer weight) {

    static final int DEFAULT_WEIGHT = 1;
    /** The size of the {@code backend.url} column. */
    static final int MAX_URL_LENGTH = 2048;

    BackendDocument withDefaults() {
        return new BackendDocument(name, url == null ? null : url.trim(), weight == null ? DEFAULT_WEIGHT : weight);
    }
}
