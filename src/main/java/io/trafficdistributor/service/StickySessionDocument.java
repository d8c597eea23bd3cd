package io.trafficdistributor.service;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import io.trafficdistributor.domain.SameSite;

/** The cookie that pins a client to its backend (STICKY_SESSIONS). */
public record StickySessionDocument(
        @NotNull @Pattern(regexp = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$", message = "must be a cookie name: 1 to 128 token characters") String cookieName,
        @Min(1) @Max(315_360_000) Integer maxAgeSeconds,
        @NotNull SameSite sameSite) {

    static final StickySessionDocument DEFAULTS = new StickySessionDocument("TD_ROUTE", null, SameSite.Lax);

    StickySessionDocument withDefaults() {
        return new StickySessionDocument(
                cookieName == null ? DEFAULTS.cookieName() : cookieName,
                maxAgeSeconds,
                sameSite == null ? DEFAULTS.sameSite() : sameSite);
    }
}
