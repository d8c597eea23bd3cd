package io.trafficdistributor.service;

/** The result of a certificate write: the stored certificate, and whether the write created it. */
public record CertificateWrite(CertificateDocument certificate, boolean created) {
}
