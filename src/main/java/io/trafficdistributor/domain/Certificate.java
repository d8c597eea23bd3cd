package io.trafficdistributor.domain;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A stored TLS certificate: its PEM chain, its private key (encrypted when {@code td.secret-key} is set) and what
 * the API shows of its leaf. The HTTPS listener never reads this entity; it reads the snapshot built from it.
 */
@Entity
@Table(name = "certificate")
public class Certificate extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, unique = true, updatable = false)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public CertificateSource source;

    @Column(name = "certificate_pem", nullable = false)
    public String certificatePem;

    @Column(name = "private_key", nullable = false)
    public byte[] privateKey;

    /** {@code none} or {@code aes-gcm}. */
    @Column(name = "key_encryption", nullable = false)
    public String keyEncryption;

    /** The leaf's DNS names, space-separated. */
    @Column(name = "dns_names", nullable = false)
    public String dnsNames;

    @Column(nullable = false)
    public String issuer;

    @Column(name = "not_before", nullable = false)
    public OffsetDateTime notBefore;

    @Column(name = "not_after", nullable = false)
    public OffsetDateTime notAfter;

    @Column(name = "fingerprint_sha256", nullable = false)
    public String fingerprintSha256;

    @Version
    @Column(nullable = false)
    public long version;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    public static Optional<Certificate> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
