package io.trafficdistributor.domain;

/** Where a certificate came from: uploaded through the API, or obtained by the service (ACME, a later step). */
public enum CertificateSource {
    UPLOADED, ACME
}
