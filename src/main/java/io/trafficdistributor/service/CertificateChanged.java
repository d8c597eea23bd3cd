package io.trafficdistributor.service;

import io.trafficdistributor.tls.CertificateMaterial;

/**
 * Fired inside the writing transaction, acted on after its commit (like {@link DistributorChanged}).
 * {@code certificate} is the committed state, key decrypted, or null when it was deleted.
 */
public record CertificateChanged(String name, CertificateMaterial certificate) {
}
