package io.trafficdistributor.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.trafficdistributor.health.BackendHealth;
import io.trafficdistributor.service.DatabaseUnavailable;
import io.trafficdistributor.service.ShiftService;
import io.trafficdistributor.service.StoredShift;

/**
 * Drives the running gradual shifts (DESIGN §8), on exactly one replica: the one holding a PostgreSQL advisory lock
 * on a connection of its own. Every replica ticks each second; the holder keeps the lock as long as it lives, so
 * one replica drives every shift, step after step, and when it stops or dies (its connection, and with it the
 * lock, goes) another takes over at its next tick and continues each shift from its stored step. One lock for all
 * shifts rather than one per shift: shifts are a few writes a minute, and a single driver keeps their order and
 * logs in one place.
 * <p>
 * Each tick, per running shift: a distributor written by someone else cancels it; with {@code abortOnDown}, a
 * backend gaining weight that this replica's health checks (every replica probes every backend) find DOWN aborts
 * it; otherwise a step that is due is written.
 */
@ApplicationScoped
public class ShiftDriver {

    private static final Logger LOG = Logger.getLogger(ShiftDriver.class);
    /** "tdshift": the advisory lock key of the shift driver (ACME's order lock is another). */
    static final long DRIVER_LOCK = 0x74_6473_6869_6674L;

    @Inject
    ShiftService shifts;

    @Inject
    Routes routes;

    @Inject
    DirectConnections connections;

    private Connection lock;
    private boolean driving;
    private boolean failing;
    private volatile boolean stopping;

    /** At the start of a shutdown (before the drain): another replica takes over at once. */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        close();
    }

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void tick() {
        // After the shutdown destroyed this bean, a tick already under way reaches a fresh instance (stopping unset)
        // through the container's proxy: it must not take the lock again, and could not read the shifts any more.
        ArcContainer container = Arc.container();
        if (stopping || container == null || !container.isRunning() || !holdsLock()) {
            return;
        }
        try {
            for (StoredShift shift : shifts.running()) {
                drive(shift);
            }
            if (failing) {
                LOG.info("Shifts: the database answers again; the running shifts go on");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("Shifts: cannot read the running shifts (%s); retrying every second",
                        DatabaseUnavailable.causedBy(e) ? "PostgreSQL is unavailable" : e.toString());
                failing = true;
            }
        }
    }

    private void drive(StoredShift shift) {
        try {
            if (shift.currentVersion() != shift.lastVersion()) {
                shifts.cancel(shift, "the distributor was changed by another write"); // names the versions itself
                return;
            }
            String down = shift.shift().abortOnDown() ? gainingBackendDown(shift) : null;
            if (down != null) {
                shifts.abort(shift, down);
            } else if (!shift.shift().nextStepAt().isAfter(OffsetDateTime.now())) {
                shifts.step(shift);
            }
        } catch (RuntimeException e) {
            if (DatabaseUnavailable.causedBy(e)) {
                throw e;
            }
            // A concurrent write (the next tick cancels for it) or a step the distributor's rules refuse.
            String why = "step " + (shift.shift().step() + 1) + " could not be written: " + e.getMessage();
            try {
                shifts.cancel(shift, why);
            } catch (RuntimeException again) {
                LOG.warnf("Shift of distributor '%s': %s; cancelling it failed too (%s)", shift.name(), why, again.toString());
            }
        }
    }

    /** Why the shift must abort: a backend it gives weight to is DOWN here; null when none is. */
    private String gainingBackendDown(StoredShift shift) {
        CompiledDistributor distributor = routes.table().byName(shift.name());
        if (distributor == null) {
            return null;
        }
        Set<String> gaining = shift.shift().plan().gaining();
        for (CompiledBackend backend : distributor.backends()) {
            BackendHealth health = backend.health();
            if (gaining.contains(backend.name()) && health.status() == BackendHealth.Status.DOWN) {
                return "backend '" + backend.name() + "', gaining weight, is DOWN"
                        + (health.lastError() == null ? "" : " (" + health.lastError() + ")");
            }
        }
        return null;
    }

    /** Whether this replica holds the driver's lock, taking it if it is free. */
    private boolean holdsLock() {
        try {
            if (lock != null && !lock.isValid(2)) {
                release("its database connection was lost");
            }
            if (lock == null) {
                lock = connections.open();
            }
            if (!driving) {
                try (Statement statement = lock.createStatement();
                        ResultSet row = statement.executeQuery("select pg_try_advisory_lock(" + DRIVER_LOCK + ")")) {
                    driving = row.next() && row.getBoolean(1);
                }
                if (driving) {
                    LOG.info("This replica drives the gradual shifts now (it holds their advisory lock)");
                }
            }
            return driving;
        } catch (SQLException e) {
            release(e.getMessage());
            return false;
        }
    }

    private void release(String why) {
        if (driving) {
            LOG.warnf("This replica no longer drives the gradual shifts: %s", why);
        }
        driving = false;
        try {
            if (lock != null) {
                lock.close();
            }
        } catch (SQLException ignored) {
            // broken already
        }
        lock = null;
    }

    /** Closing the connection frees the lock at once, so another replica takes over at its next tick. */
    @PreDestroy
    synchronized void close() {
        if (driving) {
            LOG.info("This replica stops driving the gradual shifts");
        }
        driving = false;
        release("stopping");
    }
}
