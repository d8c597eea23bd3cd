package io.trafficdistributor.service;

import java.time.OffsetDateTime;
import java.util.List;

import io.trafficdistributor.domain.CertificateSource;

/**
 * A certificate as the API shows it: what its leaf says and which hostnames it serves; never its key.
 *
 * @param hostnames the distributors' hostnames a handshake would get this certificate for now (filled by the API)
 */
public record CertificateDocument(String name, List<String> subjectAlternativeNames, String issuer,
        OffsetDateTime notBefore, OffsetDateTime notAfter, String fingerprintSha256, CertificateSource source,
        List<String> hostnames, Long version, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public CertificateDocument withHostnames(List<String> served) {
        return new CertificateDocument(name, subjectAlternativeNames, issuer, notBefore, notAfter, fingerprintSha256,
                source, served, version, createdAt, updatedAt);
    }
}
