package io.trafficdistributor.service;

/** {@code If-Match} named a version that is no longer the stored one. */
public class PreconditionFailedException extends RuntimeException {

    public PreconditionFailedException(String message) {
        super(message);
    }
}
