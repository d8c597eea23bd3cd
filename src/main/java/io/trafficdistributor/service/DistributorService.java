package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.hibernate.Session;
import org.hibernate.exception.ConstraintViolationException;

import io.trafficdistributor.domain.Backend;
import io.trafficdistributor.domain.Distributor;
import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.domain.SameSite;

/**
 * Transactional CRUD of distributors: validation, uniqueness of names and hostnames, optimistic
 * concurrency. Each committed write is announced with a {@link DistributorChanged} event, which the routing
 * layer applies and passes on to the other replicas with a PostgreSQL {@code NOTIFY} after the commit.
 */
@ApplicationScoped
public class DistributorService {

    /**
     * The channel on which every committed change is announced. The payload is the distributor's name, followed
     * for a create or update by its id and version ({@code shop 7c0e… 3}), so that a replica that already has
     * that version need not read it back; a bare name (a delete, or a change made by hand) means "reload it".
     */
    public static final String CHANGE_CHANNEL = "td_distributor_changed";

    @Inject
    Validator validator;

    @Inject
    EntityManager entityManager;

    @Inject
    Event<DistributorChanged> changes;

    @Transactional
    public Page<DistributorDocument> list(int limit, int offset) {
        List<DistributorDocument> items = Distributor.<Distributor>findAll(io.quarkus.panache.common.Sort.by("name"))
                .range(offset, offset + limit - 1).list()
                .stream().map(DistributorService::toDocument).toList();
        return new Page<>(items, Distributor.count(), limit, offset);
    }

    @Transactional
    public Optional<DistributorDocument> get(String name) {
        return Distributor.findByName(name).map(DistributorService::toDocument);
    }

    /**
     * Every distributor, for building the routing table: one SQL statement (so one consistent snapshot, and no
     * query per distributor or per batch of them), its rows mapped straight to documents. At startup this runs
     * on a cold JVM, where going through entities would cost several times as much.
     */
    @Transactional
    public List<DistributorDocument> all() {
        return entityManager.unwrap(Session.class).doReturningWork(DistributorService::readAll);
    }

    private static final String READ_ALL = """
            select d.id, d.name, d.routing, d.enabled, d.pass_host_header,
                   d.sticky_cookie_name, d.sticky_max_age_seconds, d.sticky_same_site,
                   d.hc_enabled, d.hc_type, d.hc_path, d.hc_expected_statuses, d.hc_interval_seconds,
                   d.hc_timeout_millis, d.hc_healthy_threshold, d.hc_unhealthy_threshold,
                   d.connect_millis, d.response_millis, d.attempt_millis, d.version, d.created_at, d.updated_at,
                   array(select h.hostname from distributor_hostname h where h.distributor_id = d.id order by h.position),
                   array(select b.name from backend b where b.distributor_id = d.id order by b.position),
                   array(select b.url from backend b where b.distributor_id = d.id order by b.position),
                   array(select b.weight from backend b where b.distributor_id = d.id order by b.position)
            from distributor d""";

    private static List<DistributorDocument> readAll(Connection connection) throws SQLException {
        List<DistributorDocument> all = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            statement.setFetchSize(1000);
            try (ResultSet row = statement.executeQuery(READ_ALL)) {
                while (row.next()) {
                    String[] backendNames = (String[]) row.getArray(24).getArray();
                    String[] backendUrls = (String[]) row.getArray(25).getArray();
                    Integer[] backendWeights = (Integer[]) row.getArray(26).getArray();
                    List<BackendDocument> backends = new ArrayList<>(backendNames.length);
                    for (int i = 0; i < backendNames.length; i++) {
                        backends.add(new BackendDocument(backendNames[i], backendUrls[i], backendWeights[i]));
                    }
                    all.add(new DistributorDocument(
                            row.getString(2),
                            List.of((String[]) row.getArray(23).getArray()),
                            RoutingMethod.valueOf(row.getString(3)),
                            row.getBoolean(4),
                            List.copyOf(backends),
                            new StickySessionDocument(row.getString(6), (Integer) row.getObject(7),
                                    SameSite.valueOf(row.getString(8))),
                            new HealthCheckDocument(row.getBoolean(9), HealthCheckType.valueOf(row.getString(10)),
                                    row.getString(11), row.getString(12), row.getInt(13), row.getInt(14),
                                    row.getInt(15), row.getInt(16)),
                            new TimeoutsDocument(row.getInt(17), row.getInt(18), (Integer) row.getObject(19)),
                            row.getBoolean(5),
                            row.getObject(1, UUID.class),
                            row.getLong(20),
                            row.getObject(21, OffsetDateTime.class),
                            row.getObject(22, OffsetDateTime.class)));
                }
            }
        }
        return all;
    }

    /**
     * The distributor that would serve {@code hostname}: its exact name first, else the longest wildcard
     * that matches it ({@code *.example.com} matches {@code a.example.com}, not {@code example.com}).
     */
    @Transactional
    public Optional<DistributorDocument> findServing(String hostname) {
        String host = DistributorDocument.normaliseHostname(hostname);
        List<String> candidates = new ArrayList<>();
        candidates.add(host);
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            candidates.add("*" + host.substring(dot));
        }
        List<Object[]> owners = entityManager.createQuery(
                "select h, d.name from Distributor d join d.hostnames h where h in :candidates", Object[].class)
                .setParameter("candidates", candidates).getResultList();
        // Candidates are ordered from the exact name to the shortest wildcard: the first match wins.
        return owners.stream()
                .min(Comparator.comparingInt(row -> candidates.indexOf((String) row[0])))
                .flatMap(row -> get((String) row[1]));
    }

    @Transactional
    public DistributorDocument create(DistributorDocument request) {
        DistributorDocument document = validate(request);
        Distributor entity = new Distributor();
        entity.id = UUID.randomUUID();
        entity.name = document.name();
        return save(entity, document, true);
    }

    /** Creates the distributor, or replaces it whole (PUT). */
    @Transactional
    public Write put(String name, OptionalLong ifMatch, DistributorDocument request) {
        DistributorDocument body = request.name() == null ? request.withName(name) : request;
        if (!name.equals(body.name())) {
            throw new InvalidDocumentException("name", "must equal the name in the URL ('" + name + "'); names cannot be changed");
        }
        Optional<Distributor> existing = Distributor.findByName(name);
        if (existing.isEmpty()) {
            if (ifMatch.isPresent()) {
                throw new PreconditionFailedException("Distributor '" + name + "' does not exist.");
            }
            return new Write(create(body), true);
        }
        Distributor entity = existing.get();
        checkVersion(entity, ifMatch);
        return new Write(save(entity, validate(body), false), false);
    }

    /** Changes a distributor: {@code change} gets the stored document and returns the wanted one. */
    @Transactional
    public DistributorDocument update(String name, OptionalLong ifMatch, UnaryOperator<DistributorDocument> change) {
        Distributor entity = Distributor.findByName(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        DistributorDocument wanted = change.apply(toDocument(entity));
        if (!name.equals(wanted.name())) {
            throw new InvalidDocumentException("name", "cannot be changed; create a new distributor instead");
        }
        return save(entity, validate(wanted), false);
    }

    @Transactional
    public void delete(String name, OptionalLong ifMatch) {
        Distributor entity = Distributor.findByName(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        entity.delete();
        entityManager.flush();
        announce(name, null);
    }

    public static NotFoundException notFound(String name) {
        return new NotFoundException("Distributor '" + name + "' does not exist.");
    }

    private DistributorDocument validate(DistributorDocument request) {
        DistributorDocument document = request.withDefaults();
        Set<ConstraintViolation<DistributorDocument>> violations = validator.validate(document);
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(violations.stream()
                    .map(v -> new Violation(ViolationPaths.field(v.getPropertyPath()), v.getMessage()))
                    .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::message))
                    .toList());
        }
        return document;
    }

    private static void checkVersion(Distributor entity, OptionalLong ifMatch) {
        if (ifMatch.isPresent() && ifMatch.getAsLong() != entity.version) {
            throw new PreconditionFailedException("Distributor '" + entity.name + "' is at version " + entity.version
                    + ", not " + ifMatch.getAsLong() + ": read it again and retry.");
        }
    }

    /**
     * Checks, in one query, that no other distributor has the name (when {@code isNew}) or any of the hostnames,
     * then writes. The unique indexes remain the last word when two writes race between check and insert.
     */
    private DistributorDocument save(Distributor entity, DistributorDocument document, boolean isNew) {
        checkConflicts(entity.name, document.hostnames(), isNew);
        apply(document, entity);
        entity.updatedAt = now();
        if (entity.createdAt == null) {
            entity.createdAt = entity.updatedAt;
        }
        try {
            entity.persist();
            entityManager.flush();
        } catch (OptimisticLockException e) {
            throw new ConflictException("Distributor '" + entity.name + "' was changed by another request: read it again and retry.");
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                // Another transaction took the name or a hostname between our check and our insert.
                throw new ConflictException("Distributor '" + entity.name
                        + "' conflicts with a concurrent write of the same name or hostname: retry.");
            }
            throw e;
        }
        DistributorDocument saved = toDocument(entity);
        announce(entity.name, saved);
        return saved;
    }

    /** The owners of any of the hostnames. */
    private static final String HOSTNAME_OWNERS = """
            select d.name, h.hostname from distributor_hostname h join distributor d on d.id = h.distributor_id
            where h.hostname in (:hostnames)""";
    /** The same, and a row with a null hostname if the name is taken. */
    private static final String NAME_OR_HOSTNAME_OWNERS = """
            select d.name, null from distributor d where d.name = :name
            union all
            """ + HOSTNAME_OWNERS;

    private void checkConflicts(String name, List<String> hostnames, boolean isNew) {
        @SuppressWarnings("unchecked")
        Query query = entityManager.createNativeQuery(isNew ? NAME_OR_HOSTNAME_OWNERS : HOSTNAME_OWNERS)
                .setParameter("hostnames", hostnames);
        if (isNew) {
            query.setParameter("name", name);
        }
        List<Object[]> rows = query.getResultList();
        Map<String, String> owners = new HashMap<>();
        for (Object[] row : rows) {
            String owner = (String) row[0];
            if (row[1] == null) {
                throw new ConflictException("A distributor named '" + name + "' already exists.");
            }
            if (!owner.equals(name)) {
                owners.put((String) row[1], owner);
            }
        }
        for (String hostname : hostnames) {
            String owner = owners.get(hostname);
            if (owner != null) {
                throw new ConflictException("Hostname '" + hostname + "' belongs to distributor '" + owner + "'.");
            }
        }
    }

    private void announce(String name, DistributorDocument distributor) {
        changes.fire(new DistributorChanged(name, distributor));
    }

    /** The NOTIFY payload announcing this change to the other replicas. */
    public static String notifyPayload(DistributorChanged change) {
        DistributorDocument distributor = change.distributor();
        return distributor == null ? change.name()
                : change.name() + " " + distributor.id() + " " + distributor.version();
    }

    private static void apply(DistributorDocument d, Distributor e) {
        e.routing = d.routing();
        e.enabled = d.enabled();
        e.passHostHeader = d.passHostHeader();
        // New collection instances: Hibernate then deletes the old rows before inserting the new ones, so a
        // hostname moving between positions never trips the unique index mid-flush.
        e.hostnames = new ArrayList<>(d.hostnames());
        e.backends = new ArrayList<>(d.backends().stream()
                .map(b -> new Backend(b.name(), b.url(), b.weight())).toList());
        e.stickySession.cookieName = d.stickySession().cookieName();
        e.stickySession.maxAgeSeconds = d.stickySession().maxAgeSeconds();
        e.stickySession.sameSite = d.stickySession().sameSite();
        var hc = d.healthCheck();
        e.healthCheck.enabled = hc.enabled();
        e.healthCheck.type = hc.type();
        e.healthCheck.path = hc.path();
        e.healthCheck.expectedStatuses = hc.expectedStatuses();
        e.healthCheck.intervalSeconds = hc.intervalSeconds();
        e.healthCheck.timeoutMillis = hc.timeoutMillis();
        e.healthCheck.healthyThreshold = hc.healthyThreshold();
        e.healthCheck.unhealthyThreshold = hc.unhealthyThreshold();
        e.timeouts.connectMillis = d.timeouts().connectMillis();
        e.timeouts.responseMillis = d.timeouts().responseMillis();
        e.timeouts.attemptMillis = d.timeouts().attemptMillis();
    }

    static DistributorDocument toDocument(Distributor e) {
        return new DistributorDocument(
                e.name,
                List.copyOf(e.hostnames),
                e.routing,
                e.enabled,
                e.backends.stream().map(b -> new BackendDocument(b.name, b.url, b.weight)).toList(),
                new StickySessionDocument(e.stickySession.cookieName, e.stickySession.maxAgeSeconds, e.stickySession.sameSite),
                new HealthCheckDocument(e.healthCheck.enabled, e.healthCheck.type, e.healthCheck.path,
                        e.healthCheck.expectedStatuses, e.healthCheck.intervalSeconds, e.healthCheck.timeoutMillis,
                        e.healthCheck.healthyThreshold, e.healthCheck.unhealthyThreshold),
                new TimeoutsDocument(e.timeouts.connectMillis, e.timeouts.responseMillis, e.timeouts.attemptMillis),
                e.passHostHeader,
                e.id, e.version, e.createdAt, e.updatedAt);
    }

    private static OffsetDateTime now() {
        // PostgreSQL keeps microseconds: store what we return, so a read gives back the same instant.
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
