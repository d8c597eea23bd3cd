package io.trafficdistributor.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

@Embeddable
public class HealthCheck {

    @Column(name = "hc_enabled", nullable = false)
    public boolean enabled;

    @Enumerated(EnumType.STRING)
    @Column(name = "hc_type", nullable = false)
    public HealthCheckType type;

    @Column(name = "hc_path", nullable = false)
    public String path;

    /** Codes and ranges, e.g. {@code 200-299,302}. */
    @Column(name = "hc_expected_statuses", nullable = false)
    public String expectedStatuses;

    @Column(name = "hc_interval_seconds", nullable = false)
    public int intervalSeconds;

    @Column(name = "hc_timeout_millis", nullable = false)
    public int timeoutMillis;

    @Column(name = "hc_healthy_threshold", nullable = false)
    public int healthyThreshold;

    @Column(name = "hc_unhealthy_threshold", nullable = false)
    public int unhealthyThreshold;
}
