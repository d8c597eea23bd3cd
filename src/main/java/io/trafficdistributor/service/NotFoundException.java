package io.trafficdistributor.service;

/** The named distributor (or backend) does not exist. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
