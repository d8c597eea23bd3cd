package io.trafficdistributor.routing;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.trafficdistributor.Beside;
import io.trafficdistributor.service.CertificateChanged;
import io.trafficdistributor.service.CertificateService;
import io.trafficdistributor.service.ClusterSecrets;
import io.trafficdistributor.service.DatabaseUnavailable;
import io.trafficdistributor.service.DistributorChanged;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.DistributorService;
import io.trafficdistributor.service.StoredDigest;
import io.trafficdistributor.service.StoredVersion;
import io.trafficdistributor.tls.CertificateMaterial;
import io.trafficdistributor.tls.CertificateStore;

/**
 * Keeps {@link Routes} and the HTTPS listener's {@link CertificateStore} equal to the database: this instance's
 * own writes after their commit, other replicas' writes through PostgreSQL LISTEN/NOTIFY (one channel for
 * distributors, one for certificates, on one listening connection), and a periodic reconcile for anything
 * missed (a lost listener connection, a notification dropped while reconnecting). A notification may name many
 * changes (see {@link ChangeNotifier}); the listener takes all that have arrived as one batch and reads what it
 * lacks in one query, so a burst of changes on another replica costs a few queries here, not one per change, and
 * nothing queues up beyond the batch in hand.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    /** Startup order: the table is loaded before the proxy listener opens (which observes later). */
    public static final int LOAD_PRIORITY = 10;
    /** Distributors read ahead of the compiling at startup, at most. */
    private static final int LOAD_QUEUE = 2048;

    @Inject
    Routes routes;

    @Inject
    DistributorService distributors;

    @Inject
    CertificateService certificateService;

    @Inject
    CertificateStore certificates;

    @Inject
    ChangeNotifier notifier;

    @Inject
    DirectConnections connections;

    @Inject
    ClusterSecrets secrets;

    /**
     * Distributor changes named by one batch of notifications above which the listener reconciles instead of
     * reading them by name: a burst this large is cheaper to find by comparing versions.
     */
    static final int RECONCILE_ABOVE = 1000;

    /** Held while reading distributors and applying what was read: one read at a time ({@link Routes#applyRead}). */
    private final Object reading = new Object();
    private volatile boolean running;
    private volatile boolean reconcileFailing;
    /** Longest wait between attempts to re-listen after the database connection was lost. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private Thread listener;

    void onStart(@Observes @Priority(LOAD_PRIORITY) StartupEvent event) {
        long startedAt = System.nanoTime();
        long cpuAtStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        // Read (or, on a new database, generated) once: every compile after this uses it, and a later database
        // outage cannot take it away.
        routes.keyStickyCookies(secrets.stickyCookieKey());
        long readStartedAt = routes.generation();
        // The certificates are read beside the load: their query is the first through Hibernate, slow while cold.
        Beside<List<CertificateMaterial>> storedCertificates = Beside.start("td-certificate-load", certificateService::all);
        // Read on a thread of its own while this one compiles what has been read.
        Prefetch<DistributorDocument> stored = new Prefetch<>("td-routing-load", LOAD_QUEUE, distributors::forEach);
        routes.replaceAll(stored, readStartedAt);
        long loadedAt = System.nanoTime();
        long compileCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuAtStart;
        LOG.infof("Routing table loaded: %d distributor(s) in %d ms (read in %d ms, compiled as they came; the reader "
                + "used %d ms of CPU and waited %d ms for the compiling, the compiling %d ms of CPU and waited %d ms "
                + "for the reader)", routes.table().size(), (loadedAt - startedAt) / 1_000_000,
                (stored.producedAtNanos() - startedAt) / 1_000_000, stored.producerCpuMillis(),
                stored.producerWaitMillis(), compileCpu / 1_000_000, stored.consumerWaitMillis());
        certificates.replaceAll(storedCertificates.await());
        if (!certificateService.keysEncrypted()) {
            LOG.warn("td.secret-key (TD_SECRET_KEY) is not set: the private keys of TLS certificates are stored "
                    + "unencrypted in PostgreSQL");
        }
        running = true;
        listener = new Thread(this::listen, "td-change-listener");
        listener.setDaemon(true);
        listener.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    /**
     * A write committed by this instance: in effect on its proxy before the API call returns, then announced
     * to the other replicas.
     */
    void onLocalChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) DistributorChanged change) {
        routes.apply(change.name(), change.distributor());
        notifier.notifyOthers(DistributorService.notifyPayload(change));
    }

    /** A certificate written by this instance: served by new handshakes before the API call returns, then announced. */
    void onLocalCertificateChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) CertificateChanged change) {
        certificates.apply(change.name(), change.certificate());
        notifier.notifyOthers(CertificateService.CHANGE_CHANNEL, CertificateService.notifyPayload(change));
    }

    @Scheduled(every = "${td.routing.reconcile-interval:30s}", delayed = "${td.routing.reconcile-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledReconcile() {
        try {
            reconcile();
            if (reconcileFailing) {
                LOG.info("Reconcile reads the database again; the routing table is up to date");
                reconcileFailing = false;
            }
        } catch (RuntimeException e) {
            if (!reconcileFailing) {
                // Logged once per outage, not every interval: the proxy goes on routing with what it has.
                LOG.warnf("Could not reload the routing table (%s); the proxy keeps routing with the one it has",
                        DatabaseUnavailable.causedBy(e) ? "PostgreSQL is unavailable" : e.toString());
                reconcileFailing = true;
            }
        }
    }

    /**
     * Brings the table in line with the database at the cost of what differs. First one row: the count and digest
     * of the stored versions ({@link StoredDigest}); when the table's are the same, it is in step and nothing more is
     * read, so a quiet reconcile costs the same with 100,000 distributors as with ten. Otherwise one query of every
     * distributor's name, id and version, compared with the table; then one query for the few that differ, compiled
     * or removed. Unchanged distributors are not read, not compiled and keep their compiled form (and balancer
     * position). Certificates are few: they are read whole.
     */
    void reconcile() {
        synchronized (reading) {
            long startedAt = System.nanoTime();
            long readStartedAt = routes.generation();
            StoredDigest digest = distributors.digest();
            if (routes.table().matches(digest)) {
                // An empty read: it forgets the writes applied since readStartedAt, as the end of a read does.
                routes.applyRead(readStartedAt, List.of(), List.of());
                LOG.debugf("Reconciled %d distributor(s) in %d ms: the table is in step", digest.count(),
                        (System.nanoTime() - startedAt) / 1_000_000);
            } else {
                List<StoredVersion> stored = distributors.versions();
                Set<String> differing = routes.differing(stored);
                int applied = routes.applyRead(readStartedAt, distributors.named(differing), differing);
                LOG.debugf("Reconciled %d distributor(s) in %d ms: %d differed, %d applied", stored.size(),
                        (System.nanoTime() - startedAt) / 1_000_000, differing.size(), applied);
            }
        }
        certificates.replaceAll(certificateService.all());
    }

    /**
     * A certificate change announced by NOTIFY: reload that certificate, unless the payload names the version
     * already served.
     */
    void reloadCertificate(String payload) {
        String[] parts = payload.trim().split(" ");
        String name = parts[0];
        if (parts.length == 3) {
            try {
                if (certificates.isApplied(name, UUID.fromString(parts[1]), Long.parseLong(parts[2]))) {
                    return;
                }
            } catch (IllegalArgumentException e) {
                // not our payload format: reload to be safe
            }
        }
        certificates.apply(name, certificateService.material(name).orElse(null));
    }

    /**
     * The distributor changes of one batch of notifications (any replica's, this one's included), a line each:
     * those that name a version this instance already routes (its own writes, mostly) cost nothing; the others are
     * read in one query, or, when there are more than {@link #RECONCILE_ABOVE} of them (this listener fell behind a
     * burst), by a reconcile, which reads only what differs whatever the number of notifications.
     */
    void reloadDistributors(List<String> lines) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            String name = parts[0];
            // Any line of a name that this table does not route yet is reason to read it: notifications of two
            // replicas may arrive out of order, so a later line may name an older version.
            if (parts.length != 3 || !isApplied(name, parts[1], parts[2])) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return;
        }
        if (names.size() > RECONCILE_ABOVE) {
            reconcile();
            return;
        }
        synchronized (reading) {
            long readStartedAt = routes.generation();
            routes.applyRead(readStartedAt, distributors.named(names), names);
        }
    }

    private boolean isApplied(String name, String id, String version) {
        try {
            return routes.isApplied(name, UUID.fromString(id), Long.parseLong(version));
        } catch (IllegalArgumentException e) {
            return false; // not our payload format: reload to be safe
        }
    }

    private void listen() {
        Duration backoff = Duration.ofSeconds(1);
        boolean reconnecting = false;
        while (running) {
            try (Connection connection = connections.open()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + DistributorService.CHANGE_CHANNEL);
                    statement.execute("LISTEN " + CertificateService.CHANGE_CHANNEL);
                }
                if (reconnecting) {
                    LOG.info("Change listener reconnected to PostgreSQL; reconciling what it may have missed");
                    reconcile();
                    reconnecting = false;
                }
                backoff = Duration.ofSeconds(1);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null) {
                        continue;
                    }
                    // Everything the driver has received so far: one batch, however many notifications.
                    List<String> changed = new ArrayList<>();
                    for (PGNotification notification : notifications) {
                        if (CertificateService.CHANGE_CHANNEL.equals(notification.getName())) {
                            NotifyPayloads.lines(notification.getParameter()).forEach(this::reloadCertificate);
                        } else {
                            changed.addAll(NotifyPayloads.lines(notification.getParameter()));
                        }
                    }
                    reloadDistributors(changed);
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!reconnecting) {
                    LOG.warnf("Change listener lost its PostgreSQL connection (%s); retrying, the periodic reconcile covers the gap",
                            e.getMessage());
                    reconnecting = true;
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }
}
