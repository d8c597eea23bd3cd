package io.trafficdistributor.service;

/** The write collides with what is stored: a taken name or hostname, or a concurrent write. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
