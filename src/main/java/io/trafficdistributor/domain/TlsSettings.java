package io.trafficdistributor.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** A distributor's HTTPS settings (DESIGN §7). */
@Embeddable
public class TlsSettings {

    /** Obtain and renew a certificate by ACME for the non-wildcard hostnames (service.AcmeCertificates). */
    @Column(name = "tls_acme", nullable = false)
    public boolean acme;

    /** Answer plain-HTTP requests with a 308 to https://. */
    @Column(name = "tls_redirect_http", nullable = false)
    public boolean redirectHttp;

    /** {@code Strict-Transport-Security: max-age=N} on responses over HTTPS; null: none. */
    @Column(name = "tls_hsts_max_age_seconds")
    public Integer hstsMaxAgeSeconds;
}
