package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.trafficdistributor.config.TdConfig;
import io.trafficdistributor.tls.AcmeChallenges;
import io.trafficdistributor.tls.AcmeClient;
import io.trafficdistributor.tls.KeyEncryption;

/**
 * Obtains and renews the certificates of distributors with {@code tls.acme} (DESIGN §7): a tick, every
 * {@code td.acme.check-interval} and after a local change of such a distributor, looks for certificates due (none
 * yet, hostnames changed, two thirds of the lifetime gone, a retry after a failure) and orders them, one at a time,
 * on a thread of its own. Only the replica holding a PostgreSQL advisory lock ticks, so one replica orders at a time;
 * what is due, the backoff after failures and the last error are rows of {@code acme_state}, so replicas and restarts
 * agree. The certificate is stored as {@code acme-<distributor>} through {@link CertificateService}, so it is served
 * and announced to the other replicas like an upload.
 */
@ApplicationScoped
public class AcmeCertificates {

    private static final Logger LOG = Logger.getLogger(AcmeCertificates.class);
    /** pg_try_advisory_lock key of "the replica that orders now" ('tdacme'). */
    static final long ORDER_LOCK = 0x7464_6163_6d65L;
    private static final String ACCOUNT_KEY_NAME = "acme-account";
    private static final int MAX_ERROR_LENGTH = 1000;

    @Inject
    DataSource dataSource;

    @Inject
    CertificateService certificates;

    @Inject
    AcmeChallenges challenges;

    @Inject
    TdConfig config;

    private KeyEncryption encryption;
    private AcmeClient client;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "td-acme");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean queued = new AtomicBoolean();

    @PostConstruct
    void init() {
        encryption = new KeyEncryption(config.secretKey());
    }

    void onStart(@Observes StartupEvent event) {
        kick();
    }

    @Scheduled(every = "${td.acme.check-interval:60s}", delayed = "${td.acme.check-interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        kick();
    }

    void onLocalChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) DistributorChanged change) {
        if (change.distributor() == null || Boolean.TRUE.equals(change.distributor().tls().acme())) {
            kick();
        }
    }

    /** Queues a tick unless one is queued already; never blocks. */
    public void kick() {
        if (queued.compareAndSet(false, true)) {
            worker.execute(() -> {
                queued.set(false);
                try {
                    tick();
                } catch (SQLException | RuntimeException e) {
                    LOG.warnf("ACME: could not check the certificates due (%s); next check in %s", e.getMessage(),
                            config.acme().checkInterval());
                }
            });
        }
    }

    @PreDestroy
    void close() {
        worker.shutdownNow();
    }

    /** The certificate name of a distributor's ACME certificate. */
    public static String certificateName(String distributor) {
        return CertificateService.ACME_PREFIX + distributor;
    }

    /** The names ACME orders a certificate for: the distributor's hostnames less the wildcards (HTTP-01 cannot). */
    public static List<String> orderable(List<String> hostnames) {
        return hostnames.stream().filter(h -> !h.startsWith("*.")).toList();
    }

    /** The status view's {@code tls}: null when the distributor does not use ACME. */
    public AcmeStatus status(String distributor) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select d.tls_acme, s.state, s.not_after, s.renew_at, s.last_error, s.failures, s.next_attempt_at,
                               (select count(*) from certificate c where c.name = ? and c.source = 'ACME')
                        from distributor d left join acme_state s on s.distributor = d.name where d.name = ?""")) {
            select.setString(1, certificateName(distributor));
            select.setString(2, distributor);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !row.getBoolean(1)) {
                    return null;
                }
                String state = row.getString(2);
                return new AcmeStatus(state == null ? "PENDING" : state,
                        row.getLong(8) > 0 ? certificateName(distributor) : null,
                        row.getObject(3, OffsetDateTime.class), row.getObject(4, OffsetDateTime.class), row.getString(5),
                        row.getInt(6), row.getObject(7, OffsetDateTime.class));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One look at what is due, by the replica holding the order lock; the others skip it. */
    void tick() throws SQLException {
        try (Connection lock = dataSource.getConnection()) {
            if (!tryLock(lock)) {
                return; // another replica orders now; its results are rows this replica reads
            }
            try {
                Map<String, List<String>> wanted = acmeDistributors(lock);
                removeUnwanted(lock, wanted.keySet());
                for (Map.Entry<String, List<String>> entry : wanted.entrySet()) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    if (due(lock, entry.getKey(), entry.getValue())) {
                        order(lock, entry.getKey(), entry.getValue());
                    }
                }
            } finally {
                try (Statement unlock = lock.createStatement()) {
                    unlock.execute("select pg_advisory_unlock(" + ORDER_LOCK + ")");
                }
            }
        }
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select pg_try_advisory_lock(" + ORDER_LOCK + ")")) {
            return row.next() && row.getBoolean(1);
        }
    }

    /** Distributor name → the hostnames its certificate is for, of every distributor with tls.acme. */
    private static Map<String, List<String>> acmeDistributors(Connection connection) throws SQLException {
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("""
                        select d.name, h.hostname from distributor d
                        join distributor_hostname h on h.distributor_id = d.id
                        where d.tls_acme order by d.name, h.position""")) {
            while (rows.next()) {
                wanted.computeIfAbsent(rows.getString(1), n -> new ArrayList<>()).add(rows.getString(2));
            }
        }
        wanted.replaceAll((name, hostnames) -> orderable(hostnames));
        wanted.values().removeIf(List::isEmpty);
        return wanted;
    }

    /** ACME state and certificates of distributors that no longer use ACME, or no longer exist. */
    private void removeUnwanted(Connection connection, Set<String> wanted) throws SQLException {
        Set<String> stale = new HashSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("""
                        select distributor from acme_state
                        union select substr(name, 6) from certificate where source = 'ACME'""")) {
            while (rows.next()) {
                if (!wanted.contains(rows.getString(1))) {
                    stale.add(rows.getString(1));
                }
            }
        }
        for (String name : stale) {
            LOG.infof("ACME: distributor '%s' no longer uses ACME; its certificate '%s' is removed", name,
                    certificateName(name));
            certificates.deleteAcme(certificateName(name));
            try (PreparedStatement delete = connection.prepareStatement("delete from acme_state where distributor = ?")) {
                delete.setString(1, name);
                delete.executeUpdate();
            }
        }
    }

    private static boolean due(Connection connection, String name, List<String> hostnames) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                select s.state, s.hostnames, s.renew_at, s.next_attempt_at,
                       exists (select 1 from certificate c where c.name = ? and c.source = 'ACME')
                from acme_state s where s.distributor = ?""")) {
            select.setString(1, certificateName(name));
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return true;
                }
                if (!row.getString(2).equals(String.join(" ", hostnames))) {
                    return true;
                }
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                if ("VALID".equals(row.getString(1))) {
                    OffsetDateTime renewAt = row.getObject(3, OffsetDateTime.class);
                    return !row.getBoolean(5) || renewAt == null || !renewAt.isAfter(now);
                }
                return !row.getObject(4, OffsetDateTime.class).isAfter(now);
            }
        }
    }

    private void order(Connection connection, String name, List<String> hostnames) throws SQLException {
        String joined = String.join(" ", hostnames);
        Previous previous = previous(connection, name, joined);
        boolean serving = previous.notAfter != null && previous.notAfter.isAfter(OffsetDateTime.now(ZoneOffset.UTC));
        write(connection, name, serving ? "RENEWING" : "PENDING", joined, previous.notAfter, previous.renewAt,
                previous.lastError, previous.failures, OffsetDateTime.now(ZoneOffset.UTC));
        LOG.infof("ACME: ordering a certificate for distributor '%s' (%s) from %s", name, joined, config.acme().directory());
        try {
            AcmeClient.Issued issued = client().order(accountKey(connection), hostnames,
                    (token, keyAuthorization) -> challenges.publish(name, token, keyAuthorization),
                    config.acme().orderTimeout());
            certificates.saveAcme(certificateName(name), issued.certificatePem(), issued.privateKeyPem());
            Duration lifetime = Duration.between(issued.notBefore(), issued.notAfter());
            OffsetDateTime renewAt = issued.notBefore().plus(lifetime.multipliedBy(2).dividedBy(3)).atOffset(ZoneOffset.UTC);
            OffsetDateTime notAfter = issued.notAfter().atOffset(ZoneOffset.UTC);
            write(connection, name, "VALID", joined, notAfter, renewAt, null, 0, renewAt);
            LOG.infof("ACME: distributor '%s' has certificate '%s' until %s (renewed from %s)", name,
                    certificateName(name), notAfter, renewAt);
        } catch (AcmeClient.OrderFailed | RuntimeException e) {
            int failures = previous.failures + 1;
            Duration wait = backoff(failures);
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (error.length() > MAX_ERROR_LENGTH) {
                error = error.substring(0, MAX_ERROR_LENGTH) + "…";
            }
            write(connection, name, "FAILED", joined, previous.notAfter, previous.renewAt, error, failures,
                    OffsetDateTime.now(ZoneOffset.UTC).plus(wait));
            LOG.warnf("ACME: order for distributor '%s' failed (%d in a row, next try in %s): %s", name, failures, wait,
                    error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            challenges.withdraw(name);
        }
    }

    /** The wait after the {@code failures}th failure in a row: retry-initial doubled each time, at most retry-max. */
    Duration backoff(int failures) {
        Duration wait = config.acme().retryInitial();
        for (int i = 1; i < failures && wait.compareTo(config.acme().retryMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(config.acme().retryMax()) > 0 ? config.acme().retryMax() : wait;
    }

    private record Previous(OffsetDateTime notAfter, OffsetDateTime renewAt, String lastError, int failures) {
    }

    /** The state before this order; failures count from zero again when the hostnames changed. */
    private static Previous previous(Connection connection, String name, String hostnames) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select not_after, renew_at, last_error, failures, hostnames from acme_state where distributor = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return new Previous(null, null, null, 0);
                }
                boolean sameNames = hostnames.equals(row.getString(5));
                return new Previous(row.getObject(1, OffsetDateTime.class), row.getObject(2, OffsetDateTime.class),
                        row.getString(3), sameNames ? row.getInt(4) : 0);
            }
        }
    }

    private static void write(Connection connection, String name, String state, String hostnames, OffsetDateTime notAfter,
            OffsetDateTime renewAt, String lastError, int failures, OffsetDateTime nextAttemptAt) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                insert into acme_state (distributor, state, hostnames, not_after, renew_at, last_error, failures,
                                        next_attempt_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, now())
                on conflict (distributor) do update set state = excluded.state, hostnames = excluded.hostnames,
                    not_after = excluded.not_after, renew_at = excluded.renew_at, last_error = excluded.last_error,
                    failures = excluded.failures, next_attempt_at = excluded.next_attempt_at, updated_at = now()""")) {
            upsert.setString(1, name);
            upsert.setString(2, state);
            upsert.setString(3, hostnames);
            upsert.setObject(4, notAfter);
            upsert.setObject(5, renewAt);
            upsert.setString(6, lastError);
            upsert.setInt(7, failures);
            upsert.setObject(8, nextAttemptAt);
            upsert.executeUpdate();
        }
    }

    private AcmeClient client() {
        if (client == null) {
            client = new AcmeClient(config.acme().directory(), config.acme().email(), config.acme().trustCertificates());
        }
        return client;
    }

    /** The account key: generated at the first order, stored encrypted like certificate keys, reused ever after. */
    private java.security.KeyPair accountKey(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into acme_account (id, account_key, key_encryption, created_at) values (1, ?, ?, now())
                on conflict (id) do nothing""");
                PreparedStatement select = connection.prepareStatement(
                        "select account_key, key_encryption from acme_account where id = 1")) {
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    return AcmeClient.accountKey(encryption.open(ACCOUNT_KEY_NAME, row.getString(2), row.getBytes(1)));
                }
            }
            insert.setBytes(1, encryption.seal(ACCOUNT_KEY_NAME, AcmeClient.newAccountKeyPem()));
            insert.setString(2, encryption.scheme());
            insert.executeUpdate();
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return AcmeClient.accountKey(encryption.open(ACCOUNT_KEY_NAME, row.getString(2), row.getBytes(1)));
            }
        }
    }
}
