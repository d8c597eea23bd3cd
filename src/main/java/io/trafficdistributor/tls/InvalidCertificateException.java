package io.trafficdistributor.tls;

/**
 * A certificate or private key that cannot be served, and the field of the upload it concerns
 * ({@code certificate} or {@code privateKey}). The message never quotes the uploaded text.
 */
public final class InvalidCertificateException extends RuntimeException {

    private final String field;

    public InvalidCertificateException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
