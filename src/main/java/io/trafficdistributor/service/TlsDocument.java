package io.trafficdistributor.service;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * A distributor's HTTPS settings: a certificate by ACME for its non-wildcard hostnames, redirect plain HTTP to
 * HTTPS, HSTS over HTTPS.
 *
 * @param hstsMaxAgeSeconds null: no {@code Strict-Transport-Security} header
 */
public record TlsDocument(
        Boolean acme,
        Boolean redirectHttp,
        @Min(0) @Max(63072000) Integer hstsMaxAgeSeconds) {

    static final TlsDocument DEFAULTS = new TlsDocument(false, false, null);

    TlsDocument withDefaults() {
        return new TlsDocument(acme == null ? Boolean.FALSE : acme, redirectHttp == null ? Boolean.FALSE : redirectHttp,
                hstsMaxAgeSeconds);
    }
}
