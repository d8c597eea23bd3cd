package io.trafficdistributor.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import org.hibernate.exception.ConstraintViolationException;
import org.jboss.logging.Logger;

import io.quarkus.panache.common.Sort;
import io.trafficdistributor.config.TdConfig;
import io.trafficdistributor.domain.Certificate;
import io.trafficdistributor.domain.CertificateSource;
import io.trafficdistributor.tls.CertificateMaterial;
import io.trafficdistributor.tls.InvalidCertificateException;
import io.trafficdistributor.tls.KeyEncryption;
import io.trafficdistributor.tls.ParsedCertificate;

/**
 * Transactional CRUD of TLS certificates: each upload parsed and checked (chain, key, validity), the key encrypted
 * at rest, optimistic concurrency. A committed write is announced with a {@link CertificateChanged} event, which
 * the change feed applies to the HTTPS listener and passes on to the other replicas by NOTIFY.
 */
@ApplicationScoped
public class CertificateService {

    private static final Logger LOG = Logger.getLogger(CertificateService.class);

    /**
     * The channel on which a committed certificate change is announced: the name, then for a create or update its
     * id and version ({@code shop 7c0e… 3}); a bare name means "reload it".
     */
    public static final String CHANGE_CHANNEL = "td_certificate_changed";

    @Inject
    EntityManager entityManager;

    @Inject
    Event<CertificateChanged> changes;

    @Inject
    TdConfig config;

    private KeyEncryption encryption;

    @PostConstruct
    void init() {
        encryption = new KeyEncryption(config.secretKey());
    }

    public boolean keysEncrypted() {
        return encryption.enabled();
    }

    @Transactional
    public Page<CertificateDocument> list(int limit, int offset) {
        List<CertificateDocument> items = Certificate.<Certificate>findAll(Sort.by("name"))
                .range(offset, offset + limit - 1).list()
                .stream().map(CertificateService::toDocument).toList();
        return new Page<>(items, Certificate.count(), limit, offset);
    }

    @Transactional
    public Optional<CertificateDocument> get(String name) {
        return find(name).map(CertificateService::toDocument);
    }

    /** Every stored certificate with its key decrypted, for the HTTPS listener; one that cannot be read is left out. */
    @Transactional
    public List<CertificateMaterial> all() {
        List<CertificateMaterial> all = new ArrayList<>();
        for (Certificate certificate : Certificate.<Certificate>listAll()) {
            material(certificate).ifPresent(all::add);
        }
        return all;
    }

    /** One stored certificate with its key decrypted, for the HTTPS listener. */
    @Transactional
    public Optional<CertificateMaterial> material(String name) {
        return find(name).flatMap(this::material);
    }

    private Optional<CertificateMaterial> material(Certificate certificate) {
        try {
            return Optional.of(new CertificateMaterial(certificate.name, certificate.id, certificate.version, certificate.certificatePem,
                    encryption.open(certificate.name, certificate.keyEncryption, certificate.privateKey)));
        } catch (IllegalStateException e) {
            LOG.errorf("Certificate '%s' cannot be served: %s", certificate.name, e.getMessage());
            return Optional.empty();
        }
    }

    /** Names of ACME certificates: {@code acme-<distributor name>}; not for uploads. */
    public static final String ACME_PREFIX = "acme-";

    @Transactional
    public CertificateDocument create(CertificateUpload upload) {
        String name = checkName(upload.name());
        if (name.startsWith(ACME_PREFIX)) {
            throw new InvalidDocumentException("name", "must not start with '" + ACME_PREFIX
                    + "': those names are kept for the certificates the service obtains by ACME");
        }
        ParsedCertificate parsed = parse(upload);
        if (find(name).isPresent()) {
            throw new ConflictException("A certificate named '" + name + "' already exists.");
        }
        Certificate entity = new Certificate();
        entity.id = UUID.randomUUID();
        entity.name = name;
        entity.source = CertificateSource.UPLOADED;
        entity.createdAt = StoredTime.now();
        write(entity, upload, parsed);
        try {
            entity.persist();
            entityManager.flush();
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw new ConflictException("A certificate named '" + name + "' was created by a concurrent request.");
            }
            throw e;
        }
        return announce(entity, upload);
    }

    /** Rotates a certificate (replaces its chain and key), or creates it. */
    @Transactional
    public CertificateWrite put(String name, OptionalLong ifMatch, CertificateUpload request) {
        CertificateUpload upload = request.name() == null ? request.withName(name) : request;
        if (!name.equals(upload.name())) {
            throw new InvalidDocumentException("name", "must equal the name in the URL ('" + name + "'); names cannot be changed");
        }
        Optional<Certificate> existing = find(name);
        if (existing.isEmpty()) {
            if (ifMatch.isPresent()) {
                throw new PreconditionFailedException("Certificate '" + name + "' does not exist.");
            }
            return new CertificateWrite(create(upload), true);
        }
        Certificate entity = existing.get();
        checkVersion(entity, ifMatch);
        if (entity.source == CertificateSource.ACME) {
            throw new ConflictException("Certificate '" + name + "' is obtained and renewed by ACME; turn off tls.acme of"
                    + " its distributor to manage its certificate yourself.");
        }
        ParsedCertificate parsed = parse(upload);
        write(entity, upload, parsed);
        try {
            entityManager.flush();
        } catch (OptimisticLockException e) {
            throw new ConflictException("Certificate '" + name + "' was changed by another request: read it again and retry.");
        }
        return new CertificateWrite(announce(entity, upload), false);
    }

    @Transactional
    public void delete(String name, OptionalLong ifMatch) {
        Certificate entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        entity.delete();
        entityManager.flush();
        changes.fire(new CertificateChanged(name, null));
    }

    /** The stored certificate of that name; a name that breaks the name rule (a NUL, say) is not looked up. */
    private static Optional<Certificate> find(String name) {
        boolean possible = DistributorService.possibleName(name)
                || (name.startsWith(ACME_PREFIX) && DistributorService.possibleName(name.substring(ACME_PREFIX.length())));
        return possible ? Certificate.findByName(name) : Optional.empty();
    }

    /**
     * Stores a certificate obtained by ACME (created, or replaced on renewal) and announces it like an upload. It
     * does not replace an uploaded certificate of the same name (there can be none: uploads may not use the prefix).
     */
    @Transactional
    public void saveAcme(String name, String certificatePem, String privateKeyPem) {
        ParsedCertificate parsed;
        try {
            parsed = ParsedCertificate.parse(certificatePem, privateKeyPem, Instant.now());
        } catch (InvalidCertificateException e) {
            throw new IllegalStateException("the ACME server's certificate is not usable: " + e.getMessage());
        }
        CertificateUpload upload = new CertificateUpload(name, certificatePem, privateKeyPem);
        Certificate entity = Certificate.findByName(name).orElse(null);
        if (entity == null) {
            entity = new Certificate();
            entity.id = UUID.randomUUID();
            entity.name = name;
            entity.source = CertificateSource.ACME;
            entity.createdAt = StoredTime.now();
            write(entity, upload, parsed);
            entity.persist();
        } else if (entity.source != CertificateSource.ACME) {
            throw new IllegalStateException("an uploaded certificate is named '" + name + "'");
        } else {
            write(entity, upload, parsed);
        }
        entityManager.flush();
        announce(entity, upload);
    }

    /** Deletes the ACME certificate of a distributor that no longer uses ACME (or no longer exists). */
    @Transactional
    public void deleteAcme(String name) {
        Certificate.findByName(name).filter(c -> c.source == CertificateSource.ACME).ifPresent(entity -> {
            entity.delete();
            entityManager.flush();
            changes.fire(new CertificateChanged(name, null));
        });
    }

    public static NotFoundException notFound(String name) {
        return new NotFoundException("Certificate '" + name + "' does not exist.");
    }

    /** The NOTIFY payload announcing this change to the other replicas. */
    public static String notifyPayload(CertificateChanged change) {
        return change.certificate() == null ? change.name() : change.name() + " " + change.certificate().id() + " " + change.certificate().version();
    }

    private static String checkName(String name) {
        if (name == null) {
            throw new InvalidDocumentException("name", "must not be null");
        }
        if (!DistributorService.possibleName(name)) {
            throw new InvalidDocumentException("name", DistributorDocument.NAME_RULE);
        }
        return name;
    }

    private static ParsedCertificate parse(CertificateUpload upload) {
        try {
            return ParsedCertificate.parse(upload.certificate(), upload.privateKey(), Instant.now());
        } catch (InvalidCertificateException e) {
            throw new InvalidDocumentException(e.field(), e.getMessage());
        }
    }

    private void write(Certificate entity, CertificateUpload upload, ParsedCertificate parsed) {
        entity.certificatePem = upload.certificate();
        entity.privateKey = encryption.seal(entity.name, upload.privateKey());
        entity.keyEncryption = encryption.scheme();
        entity.dnsNames = String.join(" ", parsed.dnsNames());
        entity.issuer = parsed.issuer();
        entity.notBefore = parsed.notBefore().atOffset(ZoneOffset.UTC);
        entity.notAfter = parsed.notAfter().atOffset(ZoneOffset.UTC);
        entity.fingerprintSha256 = parsed.fingerprintSha256();
        entity.updatedAt = StoredTime.now();
    }

    private CertificateDocument announce(Certificate entity, CertificateUpload upload) {
        // The version the row has once this transaction commits: a flushed update already bumped it.
        changes.fire(new CertificateChanged(entity.name,
                new CertificateMaterial(entity.name, entity.id, entity.version, upload.certificate(), upload.privateKey())));
        return toDocument(entity);
    }

    private static void checkVersion(Certificate entity, OptionalLong ifMatch) {
        if (ifMatch.isPresent() && ifMatch.getAsLong() != entity.version) {
            throw new PreconditionFailedException("Certificate '" + entity.name + "' is at version " + entity.version
                    + ", not " + ifMatch.getAsLong() + ": read it again and retry.");
        }
    }

    static CertificateDocument toDocument(Certificate e) {
        List<String> names = e.dnsNames.isEmpty() ? List.of() : Arrays.asList(e.dnsNames.split(" "));
        return new CertificateDocument(e.name, List.copyOf(names), e.issuer, e.notBefore, e.notAfter, e.fingerprintSha256,
                e.source, null, e.version, e.createdAt, e.updatedAt);
    }

}
