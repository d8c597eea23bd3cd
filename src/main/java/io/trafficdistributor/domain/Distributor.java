package io.trafficdistributor.domain;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The stored, mutable definition of a distributor: configuration only. The proxy never reads this entity;
 * it reads the immutable snapshot compiled from it.
 */
@Entity
@Table(name = "distributor")
public class Distributor extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, unique = true, updatable = false)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public RoutingMethod routing;

    @Column(nullable = false)
    public boolean enabled;

    @Column(name = "pass_host_header", nullable = false)
    public boolean passHostHeader;

    /** Slow start's window in seconds (DESIGN §8); 0: off. */
    @Column(name = "slow_start_seconds", nullable = false)
    public int slowStartSeconds;

    @ElementCollection
    @CollectionTable(name = "distributor_hostname", joinColumns = @JoinColumn(name = "distributor_id"))
    @OrderColumn(name = "position")
    @Column(name = "hostname", nullable = false)
    public List<String> hostnames = new ArrayList<>();

    @ElementCollection
    @CollectionTable(name = "backend", joinColumns = @JoinColumn(name = "distributor_id"))
    @OrderColumn(name = "position")
    public List<Backend> backends = new ArrayList<>();

    @Embedded
    public StickySession stickySession = new StickySession();

    @Embedded
    public HealthCheck healthCheck = new HealthCheck();

    @Embedded
    public Timeouts timeouts = new Timeouts();

    @Embedded
    public TlsSettings tls = new TlsSettings();

    @Version
    @Column(nullable = false)
    public long version;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    public static Optional<Distributor> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
