package io.trafficdistributor.service;

import jakarta.validation.constraints.AssertFalse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * A distributor's HTTPS settings: redirect plain HTTP to HTTPS, HSTS over HTTPS, and (a later step) ACME.
 *
 * @param hstsMaxAgeSeconds null: no {@code Strict-Transport-Security} header
 */
public record TlsDocument(
        @AssertFalse(message = "is not yet supported: upload a certificate through /api/v1/certificates instead") Boolean acme,
        Boolean redirectHttp,
        @Min(0) @Max(63072000) Integer hstsMaxAgeSeconds) {

    static final TlsDocument DEFAULTS = new TlsDocument(false, false, null);

    TlsDocument withDefaults() {
        return new TlsDocument(acme == null ? Boolean.FALSE : acme, redirectHttp == null ? Boolean.FALSE : redirectHttp,
                hstsMaxAgeSeconds);
    }
}
