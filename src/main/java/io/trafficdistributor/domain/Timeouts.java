package io.trafficdistributor.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

@Embeddable
public class Timeouts {

    @Column(name = "connect_millis", nullable = false)
    public int connectMillis;

    @Column(name = "response_millis", nullable = false)
    public int responseMillis;

    /** Null when off: how long an idempotent request waits for a response head before it is retried elsewhere. */
    @Column(name = "attempt_millis")
    public Integer attemptMillis;
}
