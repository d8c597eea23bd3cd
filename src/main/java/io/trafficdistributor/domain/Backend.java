package io.trafficdistributor.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** One backend of a distributor; its position in the distributor's list is its failover priority. */
@Embeddable
public class Backend {

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String url;

    @Column(nullable = false)
    public int weight;

    public Backend() {
    }

    public Backend(String name, String url, int weight) {
        this.name = name;
        this.url = url;
        this.weight = weight;
    }
}
