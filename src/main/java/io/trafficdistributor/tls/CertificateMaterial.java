package io.trafficdistributor.tls;

/**
 * A stored certificate as the HTTPS listener needs it: its PEM chain and its key, decrypted. Passed from the
 * service to the {@link CertificateStore} only; {@link #toString()} leaves the key out.
 */
public record CertificateMaterial(String name, java.util.UUID id, long version, String certificatePem, String privateKeyPem) {

    @Override
    public String toString() {
        return "CertificateMaterial[" + name + " v" + version + "]";
    }
}
