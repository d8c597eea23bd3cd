package io.trafficdistributor.domain;

public enum HealthCheckType {
    /** A GET whose status must be in the expected statuses. */
    HTTP,
    /** A successful TCP connect. */
    TCP
}
