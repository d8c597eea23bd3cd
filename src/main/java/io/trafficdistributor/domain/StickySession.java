package io.trafficdistributor.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

@Embeddable
public class StickySession {

    @Column(name = "sticky_cookie_name", nullable = false)
    public String cookieName;

    @Column(name = "sticky_max_age_seconds")
    public Integer maxAgeSeconds;

    @Enumerated(EnumType.STRING)
    @Column(name = "sticky_same_site", nullable = false)
    public SameSite sameSite;
}
