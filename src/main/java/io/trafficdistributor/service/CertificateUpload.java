package io.trafficdistributor.service;

/**
 * A certificate as {@code POST} and {@code PUT} take it: a name, the PEM chain (leaf first) and the PEM private key.
 * {@link #toString()} leaves the key out.
 */
public record CertificateUpload(String name, String certificate, String privateKey) {

    public CertificateUpload withName(String newName) {
        return new CertificateUpload(newName, certificate, privateKey);
    }

    @Override
    public String toString() {
        return "CertificateUpload[" + name + "]";
    }
}
