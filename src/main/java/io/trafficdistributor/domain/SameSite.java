package io.trafficdistributor.domain;

/** The SameSite attribute of the sticky-session cookie. */
public enum SameSite {
    Strict, Lax, None
}
