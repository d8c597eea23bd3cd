package io.trafficdistributor.service;

import java.lang.annotation.ElementType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.TraversableResolver;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;

import javax.sql.DataSource;

import org.hibernate.Session;
import org.hibernate.exception.ConstraintViolationException;

import io.trafficdistributor.domain.Backend;
import io.trafficdistributor.domain.Distributor;
import io.trafficdistributor.service.validation.HostnameValidator;

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

    private static final Pattern NAME = Pattern.compile(DistributorDocument.NAME_PATTERN);
    /** PostgreSQL's SQL state for a unique index refusing a row. */
    static final String UNIQUE_VIOLATION = "23505";
    /** What a name or a stored hostname (lower case, punycode, maybe a leading '*.') can hold. */
    private static final Pattern SEARCHABLE = Pattern.compile("[a-z0-9.*_-]{1,255}");

    /** Validates documents: {@link #documentValidator}. */
    private Validator validator;

    @Inject
    EntityManager entityManager;

    @Inject
    Event<DistributorChanged> changes;

    @Inject
    Revisions revisions;

    @Inject
    DataSource dataSource;

    @Inject
    CreationWriter creations;

    @Transactional
    public Page<DistributorDocument> list(int limit, int offset) {
        List<DistributorDocument> items = Distributor.<Distributor>findAll(io.quarkus.panache.common.Sort.by("name"))
                .range(offset, offset + limit - 1).list()
                .stream().map(DistributorService::toDocument).toList();
        return new Page<>(items, Distributor.count(), limit, offset);
    }

    /**
     * The distributors whose name or one of whose hostnames starts with {@code prefix} (case-insensitive), by name:
     * the console's search box. Both prefixes are index range scans ({@code V8__search_indexes.sql}); text that
     * no name or hostname can contain matches nothing without a query.
     */
    @Transactional
    public Page<DistributorDocument> search(String prefix, int limit, int offset) {
        String text = prefix.toLowerCase(java.util.Locale.ROOT);
        if (!SEARCHABLE.matcher(text).matches()) {
            return new Page<>(List.of(), 0, limit, offset);
        }
        String pattern = text.replace("_", "\\_") + "%";
        String matching = """
                select d.name from distributor d where d.name like :pattern
                union
                select d.name from distributor d join distributor_hostname h on h.distributor_id = d.id
                where h.hostname like :pattern""";
        long total = ((Number) entityManager.createNativeQuery("select count(*) from (" + matching + ") m")
                .setParameter("pattern", pattern).getSingleResult()).longValue();
        @SuppressWarnings("unchecked")
        List<String> names = entityManager.createNativeQuery(matching + " order by 1 limit :limit offset :offset")
                .setParameter("pattern", pattern).setParameter("limit", limit).setParameter("offset", offset)
                .getResultList();
        List<DistributorDocument> items = names.isEmpty() ? List.of()
                : Distributor.<Distributor>list("name in ?1", io.quarkus.panache.common.Sort.by("name"), names)
                        .stream().map(DistributorService::toDocument).toList();
        return new Page<>(items, total, limit, offset);
    }

    @Transactional
    public Optional<DistributorDocument> get(String name) {
        return find(name).map(DistributorService::toDocument);
    }

    /**
     * The stored distributor of that name. A name that breaks the name rule names nothing and is not looked up:
     * PostgreSQL refuses text with a NUL in it, and a URL can carry one ({@code %00}).
     */
    static Optional<Distributor> find(String name) {
        return possibleName(name) ? Distributor.findByName(name) : Optional.empty();
    }

    /** Whether a name could be a distributor's or a certificate's (the one name rule for both). */
    static boolean possibleName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Every distributor, for building the routing table: one SQL statement (so one consistent snapshot, and no
     * query per distributor or per batch of them), its rows mapped straight to documents. At startup this runs
     * on a cold JVM, where going through entities would cost several times as much.
     */
    @Transactional
    public List<DistributorDocument> all() {
        return session().doReturningWork(DistributorRows::readAll);
    }

    /**
     * Every distributor, as {@link #all()}, handed to {@code each} row by row rather than in one list: loading
     * 100,000 at startup compiles them while the rest are still being read, and never holds all their documents.
     */
    @Transactional
    public void forEach(Consumer<DistributorDocument> each) {
        session().doWork(connection -> DistributorRows.readAll(connection, each));
    }

    /**
     * How many distributors are stored and a digest of their names, ids and versions, in one row: what a reconcile
     * compares with the routing table first, to read every version ({@link #versions}) only when they differ.
     */
    @Transactional
    public StoredDigest digest() {
        return session().doReturningWork(DistributorRows::digest);
    }

    /**
     * Name, id and version of every distributor, in one statement: what a reconcile compares with the routing table
     * before it reads the few that differ ({@link #named}).
     */
    @Transactional
    public List<StoredVersion> versions() {
        return session().doReturningWork(DistributorRows::versions);
    }

    /** The distributors of those names that exist, in one statement (those that do not are left out). */
    @Transactional
    public List<DistributorDocument> named(Collection<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return session().doReturningWork(connection -> DistributorRows.readNamed(connection, names));
    }

    /**
     * The distributor that would serve {@code hostname}: its exact name first, else the longest wildcard
     * that matches it ({@code *.example.com} matches {@code a.example.com}, not {@code example.com}).
     */
    @Transactional
    public Optional<DistributorDocument> findServing(String hostname) {
        String host = DistributorDocument.normaliseHostname(hostname);
        if (!HostnameValidator.isValidHostname(host)) {
            return Optional.empty(); // no distributor can own it, and it may hold what PostgreSQL refuses (NUL)
        }
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

    /** A created distributor, and the JSON its first revision stores, which is also the API's answer. */
    public record Created(DistributorDocument distributor, String json) {
    }

    /**
     * Creates a distributor (POST): validated here, on the caller's thread, then written by the {@link CreationWriter}
     * together with the creations that arrive while another group is being written, in one SQL statement each
     * ({@code DistributorRows.create}: the owners check, the rows, the first revision) rather than through the entity,
     * whose persist and flush took most of an API creation's CPU time. Returns once its commit is done; its
     * after-commit work (the routing table, the announcement to the other replicas) is done on the caller's thread,
     * before the answer.
     * <p>
     * Not @Transactional: the write is the writer's transaction (or, alone, one statement in autocommit). Outside a
     * JTA transaction the after-commit observers of the change run as soon as it is fired, which is after that
     * commit. The JTA transaction around one creation cost about a fifth of the service's CPU per creation
     * (Narayana's begin, enlistment and two-phase bookkeeping for one statement).
     */
    public Created create(DistributorDocument request) {
        Created created = prepare(request);
        creations.write(created.distributor(), created.json());
        announce(created.distributor().name(), created.distributor(), ChangeKind.CREATE);
        return created;
    }

    /** The creation in the current transaction (a PUT of a new name), on its connection. */
    private Created createNow(DistributorDocument request) {
        Created created = prepare(request);
        try (Connection connection = dataSource.getConnection()) {
            CreationWriter.insert(connection, created.distributor(), created.json());
        } catch (SQLException e) {
            throw new PersistenceException("could not create distributor '" + request.name() + "'", e);
        }
        announce(created.distributor().name(), created.distributor(), ChangeKind.CREATE);
        return created;
    }

    /** The stored form of a new distributor (validated, with defaults, a new id, version 0) and its revision's JSON. */
    Created prepare(DistributorDocument request) {
        DistributorDocument document = validate(request);
        OffsetDateTime now = StoredTime.now();
        DistributorDocument created = new DistributorDocument(document.name(), document.hostnames(), document.routing(),
                document.enabled(), document.backends(), document.stickySession(), document.healthCheck(),
                document.timeouts(), document.passHostHeader(), document.slowStartSeconds(), document.tls(), UUID.randomUUID(), 0L, now, now);
        return new Created(created, revisions.json(created));
    }

    private Session session() {
        return entityManager.unwrap(Session.class);
    }

    /** Creates the distributor, or replaces it whole (PUT). */
    @Transactional
    public Write put(String name, OptionalLong ifMatch, DistributorDocument request) {
        DistributorDocument body = request.name() == null ? request.withName(name) : request;
        if (!name.equals(body.name())) {
            throw new InvalidDocumentException("name", "must equal the name in the URL ('" + name + "'); names cannot be changed");
        }
        if (!possibleName(name)) {
            validate(body); // the name breaks its rule: a 400 saying so
        }
        Optional<Distributor> existing = find(name);
        if (existing.isEmpty()) {
            if (ifMatch.isPresent()) {
                throw new PreconditionFailedException("Distributor '" + name + "' does not exist.");
            }
            return new Write(createNow(body).distributor(), true);
        }
        Distributor entity = existing.get();
        checkVersion(entity, ifMatch);
        return new Write(save(entity, validate(body), ChangeKind.UPDATE), false);
    }

    /** Changes a distributor: {@code change} gets the stored document and returns the wanted one. */
    @Transactional
    public DistributorDocument update(String name, OptionalLong ifMatch, UnaryOperator<DistributorDocument> change) {
        return update(name, ifMatch, change, ChangeKind.UPDATE);
    }

    /** The same, recorded in the history as {@code kind} (a shift's steps are ordinary writes of their own kind). */
    @Transactional
    DistributorDocument update(String name, OptionalLong ifMatch, UnaryOperator<DistributorDocument> change, ChangeKind kind) {
        Distributor entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        DistributorDocument wanted = change.apply(toDocument(entity));
        if (!name.equals(wanted.name())) {
            throw new InvalidDocumentException("name", "cannot be changed; create a new distributor instead");
        }
        return save(entity, validate(wanted), kind);
    }

    /**
     * Writes revision {@code version} back as a new version (DESIGN §8). It is validated as a PUT of that document
     * would be, so a document that breaks a rule now (a hostname another distributor has taken since) gets the same
     * 409 or 400. A revision equal to the current configuration writes nothing, like any write that changes nothing.
     */
    @Transactional
    public DistributorDocument rollback(String name, OptionalLong ifMatch, long version) {
        Distributor entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        Revision revision = revisions.get(name, version).orElseThrow(() -> new NotFoundException("Distributor '" + name
                + "' has no revision " + version + " (the history keeps the newest td.revisions.keep; GET …/revisions lists them)."));
        return save(entity, validate(revisions.document(revision).withName(name)), ChangeKind.ROLLBACK);
    }

    /** A page of the distributor's history, newest first. */
    @Transactional
    public Page<Revision> history(String name, int limit, int offset) {
        find(name).orElseThrow(() -> notFound(name));
        return revisions.list(name, limit, offset);
    }

    /** One revision of the distributor's history. */
    @Transactional
    public Revision revision(String name, long version) {
        find(name).orElseThrow(() -> notFound(name));
        return revisions.get(name, version).orElseThrow(() -> new NotFoundException(
                "Distributor '" + name + "' has no revision " + version + "."));
    }

    /**
     * Adds one backend at {@code position} (0 is first; null, the end), validated with the whole document as any
     * write is. A backend of that name already there is a conflict.
     */
    @Transactional
    public DistributorDocument addBackend(String name, OptionalLong ifMatch, BackendDocument backend, Integer position) {
        Distributor entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        DistributorDocument current = toDocument(entity);
        List<BackendDocument> backends = new ArrayList<>(current.backends());
        if (position != null && (position < 0 || position > backends.size())) {
            throw new InvalidDocumentException("position", "must be an integer from 0 to " + backends.size()
                    + " (the number of backends, which adds it at the end)");
        }
        if (backend.name() != null && indexOf(backends, backend.name()) >= 0) {
            throw new ConflictException("Distributor '" + name + "' already has a backend named '" + backend.name()
                    + "'; change it with PATCH, or remove it first.");
        }
        backends.add(position == null ? backends.size() : position, backend);
        return save(entity, validate(current.withBackends(backends)), ChangeKind.UPDATE);
    }

    /**
     * Removes one backend. A distributor that would then break a rule (no backend left, FAILOVER with one, no
     * weight above 0 where weights route: whatever validation says) keeps it, and the answer is a conflict
     * naming the rule.
     */
    @Transactional
    public DistributorDocument removeBackend(String name, OptionalLong ifMatch, String backend) {
        Distributor entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        DistributorDocument current = toDocument(entity);
        List<BackendDocument> backends = new ArrayList<>(current.backends());
        int index = indexOf(backends, backend);
        if (index < 0) {
            throw backendNotFound(name, backend);
        }
        backends.remove(index);
        DistributorDocument wanted;
        try {
            wanted = validate(current.withBackends(backends));
        } catch (InvalidDocumentException e) {
            throw new ConflictException("Removing backend '" + backend + "' would leave distributor '" + name
                    + "' breaking its rules: " + e.violations().stream().map(v -> v.field() + " " + v.message())
                            .reduce((a, b) -> a + "; " + b).orElse("") + ".", e.violations());
        }
        return save(entity, wanted, ChangeKind.UPDATE);
    }

    /** The position of the backend named {@code name}, or -1. */
    public static int indexOf(List<BackendDocument> backends, String name) {
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    public static NotFoundException backendNotFound(String name, String backend) {
        return new NotFoundException("Distributor '" + name + "' has no backend named '" + backend + "'.");
    }

    @Transactional
    public void delete(String name, OptionalLong ifMatch) {
        Distributor entity = find(name).orElseThrow(() -> notFound(name));
        checkVersion(entity, ifMatch);
        entity.delete();
        entityManager.flush();
        announce(name, null, null);
    }

    public static NotFoundException notFound(String name) {
        return new NotFoundException("Distributor '" + name + "' does not exist.");
    }

    /**
     * The validator for documents. They are plain records, never JPA entities, so every property is reachable: the
     * default resolver (Hibernate ORM's, which Quarkus puts in front of every validation) asked by reflection, for each
     * cascaded property of each document, whether an entity had loaded it, about a third of a creation's validation
     * CPU (a JFR profile of warm creations, bench/README).
     */
    @Inject
    void documentValidator(ValidatorFactory factory) {
        validator = factory.usingContext().traversableResolver(new TraversableResolver() {
            @Override
            public boolean isReachable(Object bean, Path.Node property, Class<?> root, Path path, ElementType type) {
                return true;
            }

            @Override
            public boolean isCascadable(Object bean, Path.Node property, Class<?> root, Path path, ElementType type) {
                return true;
            }
        }).getValidator();
    }

    DistributorDocument validate(DistributorDocument request) {
        DistributorDocument document = request.withDefaults();
        Set<ConstraintViolation<DistributorDocument>> violations = validator.validate(document);
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(violations.stream()
                    .map(v -> new Violation(ViolationPaths.field(v.getPropertyPath()), v.getMessage()))
                    .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::message))
                    .toList());
        }
        if (Boolean.TRUE.equals(document.tls().acme()) && document.hostnames() != null
                && AcmeCertificates.orderable(document.hostnames()).isEmpty()) {
            throw new InvalidDocumentException("tls.acme", "needs at least one hostname that is not a wildcard: ACME"
                    + " certificates are validated by HTTP-01, which cannot prove a wildcard name");
        }
        return document;
    }

    static void checkVersion(Distributor entity, OptionalLong ifMatch) {
        if (ifMatch.isPresent() && ifMatch.getAsLong() != entity.version) {
            throw new PreconditionFailedException("Distributor '" + entity.name + "' is at version " + entity.version
                    + ", not " + ifMatch.getAsLong() + ": read it again and retry.");
        }
    }

    /**
     * Checks, in one query, that no other distributor has any of the hostnames, then writes the change. The unique
     * indexes remain the last word when two writes race between check and write. A document equal to the stored
     * one writes nothing and answers the stored version; any other is recorded in the history as {@code kind}.
     */
    private DistributorDocument save(Distributor entity, DistributorDocument document, ChangeKind kind) {
        DistributorDocument current = toDocument(entity);
        if (document.sameConfigurationAs(current)) {
            // Nothing changes: no write, no new version, no change announced (declarative tools re-apply freely).
            return current;
        }
        checkConflicts(entity.name, document.hostnames(), false);
        apply(document, entity);
        entity.updatedAt = StoredTime.now();
        try {
            entityManager.flush();
        } catch (OptimisticLockException e) {
            throw new ConflictException("Distributor '" + entity.name + "' was changed by another request: read it again and retry.");
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw concurrentWrite(entity.name);
            }
            throw e;
        }
        DistributorDocument saved = toDocument(entity);
        revisions.record(saved, kind);
        announce(entity.name, saved, kind);
        return saved;
    }

    /** Another transaction took the name or a hostname between our check and our insert. */
    static ConflictException concurrentWrite(String name) {
        return new ConflictException("Distributor '" + name
                + "' conflicts with a concurrent write of the same name or hostname: retry.");
    }

    /** Refuses the write if another distributor has the name (when {@code isNew}) or any of the hostnames. */
    private void checkConflicts(String name, List<String> hostnames, boolean isNew) {
        refuseTaken(name, hostnames,
                session().doReturningWork(connection -> DistributorRows.owners(connection, name, hostnames, isNew)));
    }

    /** Refuses the write if {@code rows}, as {@code DistributorRows.owners} answers, say another holds what it wants. */
    private static void refuseTaken(String name, List<String> hostnames, List<String[]> rows) {
        ConflictException taken = taken(name, hostnames, rows);
        if (taken != null) {
            throw taken;
        }
    }

    /** The conflict {@code rows}, as {@code DistributorRows.owners} answers, describe; null when nobody else holds what the write wants. */
    static ConflictException taken(String name, List<String> hostnames, List<String[]> rows) {
        Map<String, String> owners = new HashMap<>();
        for (String[] row : rows) {
            String owner = row[0];
            if (row[1] == null) {
                return new ConflictException("A distributor named '" + name + "' already exists.");
            }
            if (!owner.equals(name)) {
                owners.put(row[1], owner);
            }
        }
        for (String hostname : hostnames) {
            String owner = owners.get(hostname);
            if (owner != null) {
                return new ConflictException("Hostname '" + hostname + "' belongs to distributor '" + owner + "'.");
            }
        }
        return null;
    }

    private void announce(String name, DistributorDocument distributor, ChangeKind kind) {
        changes.fire(new DistributorChanged(name, distributor, kind));
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
        e.slowStartSeconds = d.slowStartSeconds();
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
        e.tls.acme = d.tls().acme();
        e.tls.redirectHttp = d.tls().redirectHttp();
        e.tls.hstsMaxAgeSeconds = d.tls().hstsMaxAgeSeconds();
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
                e.slowStartSeconds,
                new TlsDocument(e.tls.acme, e.tls.redirectHttp, e.tls.hstsMaxAgeSeconds),
                e.id, e.version, e.createdAt, e.updatedAt);
    }

}
