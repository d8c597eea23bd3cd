package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

/**
 * Writes the API's creations in groups, on threads of their own: creations that arrive while the writers are busy
 * wait, and go together in one transaction on one connection, so one commit (one fsync) makes the whole group
 * durable, where each creation used to pay its own. A creation that finds a writer idle goes at once, a group of
 * one. There are {@link #WRITERS} writers, so that one group's statements run while another's commit waits for its
 * fsync; two groups written at once are two concurrent writers to each other (below).
 * <p>
 * Each creation in a group is its own statement ({@code DistributorRows.create}, the owners check and the inserts),
 * in arrival order, so a later one sees what an earlier one of the same group wrote: a name or hostname taken by an
 * earlier creation of the group is refused with the same 409 naming its owner as if the two had come one after the
 * other. A statement that fails (a unique index refusing a row that a concurrent writer, another replica, a PUT or
 * the other writer's group, committed after our check; or a deadlock between two such) aborts the group's
 * transaction; the group is then rolled back and written again one by one in autocommit, so that one creation's
 * conflict fails only that creation. Each caller is answered only after
 * the commit that made its creation durable (or refused it). Validation happens before a creation is queued: an
 * invalid document never enters a group.
 */
@ApplicationScoped
public class CreationWriter {

    private static final Logger LOG = Logger.getLogger(CreationWriter.class);
    /**
     * Creations written in one transaction at most. Sixteen API clients fill groups of a few up to sixteen; the bound
     * only keeps one group's transaction (and the wait of its first creation) short under any burst.
     */
    static final int MAX_GROUP = 64;
    /**
     * For the group's transaction only: the creation statement planned once per connection, not at each execution.
     * Its plan depends on no value in it (index lookups, then inserts), yet PostgreSQL's default plans it afresh each
     * time, since its generic plan's estimate for an array parameter looks worse: that planning cost about 0.6 ms of
     * PostgreSQL's 1.4 ms of CPU per creation (measured on one connection, 2,000 creations).
     */
    private static final String GENERIC_PLANS = "set local plan_cache_mode = force_generic_plan";

    @Inject
    DataSource dataSource;

    /**
     * Writers, each with its group's transaction. One writer leaves PostgreSQL idle while it waits for a commit's
     * fsync, and two keep it busy; more would only split the groups further.
     */
    static final int WRITERS = 2;

    private final CreationQueue<Pending> queue = new CreationQueue<>(MAX_GROUP);
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running;

    /** A creation waiting for its group's commit: the stored document, its first revision's JSON, its outcome. */
    private record Pending(DistributorDocument distributor, String revision, CompletableFuture<Void> written) {
    }

    @PostConstruct
    void start() {
        running = true;
        for (int i = 0; i < WRITERS; i++) {
            Thread writer = new Thread(this::writeGroups, "td-creation-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.interrupt();
        }
        for (Thread writer : writers) {
            writer.join(5000);
        }
        failWaiting();
    }

    /** Fails what waits once the writers have stopped: nothing waits for ever on a writer that is gone. */
    private void failWaiting() {
        for (Pending left : queue.takeRest()) {
            left.written().completeExceptionally(new PersistenceException(
                    "The service is shutting down: distributor '" + left.distributor().name() + "' was not created."));
        }
    }

    /**
     * Writes the distributor {@code created} (validated, with defaults, id, version and timestamps) and its first
     * revision, with whatever other creations wait with it; returns once the commit that made it durable is done.
     *
     * @throws ConflictException when its name or a hostname is taken, by a stored distributor or an earlier creation
     *         of its group
     * @throws PersistenceException when PostgreSQL could not write it
     */
    public void write(DistributorDocument created, String revision) {
        Pending pending = new Pending(created, revision, new CompletableFuture<>());
        if (!running) {
            throw new PersistenceException("The service is shutting down: distributor '" + created.name()
                    + "' was not created.");
        }
        queue.add(pending);
        if (!running) {
            failWaiting(); // stopped between the check and the add
        }
        try {
            pending.written().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /** How many creations wait for a writer (not counting the groups being written). */
    int waiting() {
        return queue.size();
    }

    private void writeGroups() {
        while (running) {
            List<Pending> group;
            try {
                group = queue.takeGroup();
            } catch (InterruptedException e) {
                return;
            }
            try {
                write(group);
            } catch (RuntimeException | Error e) {
                // Not expected (every outcome is an item's own): none of the group waits for ever on it.
                LOG.errorf(e, "Could not write a group of %d creation(s)", group.size());
                for (Pending pending : group) {
                    pending.written().completeExceptionally(e);
                }
            }
        }
    }

    /** Writes one group and completes each creation's outcome. */
    private void write(List<Pending> group) {
        try (Connection connection = dataSource.getConnection()) {
            List<RuntimeException> outcomes = writeTogether(connection, group);
            for (int i = 0; i < group.size(); i++) {
                complete(group.get(i), outcomes.get(i));
            }
        } catch (SQLException e) {
            PersistenceException failure = new PersistenceException("could not write " + group.size()
                    + " distributor creation(s)", e);
            for (Pending pending : group) {
                pending.written().completeExceptionally(failure);
            }
        }
    }

    /**
     * The group in one transaction, each creation's outcome (null: created) in order; the group one by one in
     * autocommit instead when a statement fails. A failed commit fails them all: whether it took is unknown.
     */
    private static List<RuntimeException> writeTogether(Connection connection, List<Pending> group) throws SQLException {
        List<RuntimeException> outcomes = new ArrayList<>(group.size());
        connection.setAutoCommit(false);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute(GENERIC_PLANS);
            }
            for (Pending pending : group) {
                outcomes.add(refusal(pending.distributor(), DistributorRows.create(connection, pending.distributor(),
                        ChangeKind.CREATE, pending.revision())));
            }
        } catch (SQLException e) {
            LOG.debugf("A group of %d creations failed (%s); writing them one by one", group.size(), e.getMessage());
            connection.rollback();
            connection.setAutoCommit(true);
            outcomes.clear();
            for (Pending pending : group) {
                outcomes.add(outcomeAlone(connection, pending));
            }
            return outcomes;
        }
        connection.commit();
        connection.setAutoCommit(true);
        return outcomes;
    }

    private static RuntimeException outcomeAlone(Connection connection, Pending pending) {
        try {
            insert(connection, pending.distributor(), pending.revision());
            return null;
        } catch (ConflictException | PersistenceException e) {
            return e;
        }
    }

    private static void complete(Pending pending, RuntimeException outcome) {
        if (outcome == null) {
            pending.written().complete(null);
        } else {
            pending.written().completeExceptionally(outcome);
        }
    }

    /**
     * Creates one distributor on {@code connection}, in its transaction or autocommit: the one statement of
     * {@code DistributorRows.create}.
     *
     * @throws ConflictException when its name or a hostname is taken, or a concurrent write took one after the check
     * @throws PersistenceException when PostgreSQL could not write it
     */
    static void insert(Connection connection, DistributorDocument created, String revision) {
        List<String[]> owners;
        try {
            owners = DistributorRows.create(connection, created, ChangeKind.CREATE, revision);
        } catch (SQLException e) {
            if (DistributorService.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw DistributorService.concurrentWrite(created.name());
            }
            throw new PersistenceException("could not create distributor '" + created.name() + "'", e);
        }
        RuntimeException refusal = refusal(created, owners);
        if (refusal != null) {
            throw refusal;
        }
    }

    /** Why the creation was refused, from the owners its statement found; null when it found none (created). */
    private static RuntimeException refusal(DistributorDocument created, List<String[]> owners) {
        if (owners.isEmpty()) {
            return null;
        }
        ConflictException taken = DistributorService.taken(created.name(), created.hostnames(), owners);
        // What a creation finds taken is always another's; without a finding, a concurrent write is the only cause.
        return taken != null ? taken : DistributorService.concurrentWrite(created.name());
    }
}
