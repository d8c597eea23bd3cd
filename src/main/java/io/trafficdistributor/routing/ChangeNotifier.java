package io.trafficdistributor.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.trafficdistributor.service.DistributorService;

/**
 * Tells the other replicas of a committed change with {@code NOTIFY}, after the commit and off the API's
 * request thread.
 * <p>
 * Not inside the writing transaction: PostgreSQL serialises the commits of all transactions that NOTIFY (one
 * queue lock held through the commit and its fsync), which capped API writes near one per fsync. Sent after
 * the commit, on a connection of its own with {@code synchronous_commit} off, a notification costs no fsync
 * wait. A notification lost to a crash right after a commit is repaired by the periodic reconcile.
 * <p>
 * Changes that come while the sender is busy wait together and go out in one {@code NOTIFY} per channel (one line
 * each, packed below PostgreSQL's 8000-byte limit by {@link NotifyPayloads}): under a burst of API writes the
 * notifications cost a round trip per batch, not per change. What waits is bounded by the number of distributors
 * and certificates: a newer change of a name replaces the one of it still waiting, since a replica that reads the
 * newer state needs nothing from the older.
 */
@ApplicationScoped
public class ChangeNotifier {

    private static final Logger LOG = Logger.getLogger(ChangeNotifier.class);

    @Inject
    DirectConnections connections;

    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "td-change-notifier");
        thread.setDaemon(true);
        return thread;
    });
    /** Lines waiting to be sent, by channel and subject (the name the line is about), oldest first. */
    private final Map<String, Pending> waiting = new LinkedHashMap<>();
    /** Whether a send of what is waiting is queued on the sender and has not taken it yet. */
    private boolean sendQueued;
    private Connection connection;
    private boolean failing;

    private record Pending(String channel, String line) {
    }

    /** Queues a notification of a distributor change (one line); never blocks the caller. */
    public void notifyOthers(String line) {
        notifyOthers(DistributorService.CHANGE_CHANNEL, line);
    }

    /**
     * Queues a notification on {@code channel} (one line, its first word the name it is about); never blocks the
     * caller. Sent in order with the others of its channel, together with those waiting when the sender gets to it.
     */
    public void notifyOthers(String channel, String line) {
        synchronized (waiting) {
            // Removed first so that the newer line takes the place of the newest, not of the one it replaces.
            waiting.remove(channel + " " + NotifyPayloads.subject(line));
            waiting.put(channel + " " + NotifyPayloads.subject(line), new Pending(channel, line));
            if (sendQueued) {
                return;
            }
            sendQueued = true;
        }
        sender.execute(this::sendWaiting);
    }

    /** Sends everything waiting: one payload per channel, or a few when the lines do not fit one. */
    private void sendWaiting() {
        Map<String, List<String>> byChannel = new LinkedHashMap<>();
        synchronized (waiting) {
            for (Pending pending : waiting.values()) {
                byChannel.computeIfAbsent(pending.channel(), c -> new ArrayList<>()).add(pending.line());
            }
            waiting.clear();
            sendQueued = false;
        }
        byChannel.forEach((channel, lines) -> {
            for (String payload : NotifyPayloads.pack(lines, NotifyPayloads.MAX_BYTES)) {
                send(channel, payload);
            }
        });
    }

    private void send(String channel, String payload) {
        try {
            boolean reused = connection != null;
            try {
                sendOn(connection(), channel, payload);
            } catch (SQLException stale) {
                if (!reused) {
                    throw stale;
                }
                // The connection may have died with an earlier database restart: one more try on a new one.
                closeQuietly();
                sendOn(connection(), channel, payload);
            }
            if (failing) {
                LOG.info("Change notifications reach PostgreSQL again");
                failing = false;
            }
        } catch (SQLException e) {
            if (!failing) {
                LOG.warnf("Could not notify other replicas of a change (%s); they pick it up at their next reconcile",
                        e.getMessage());
                failing = true;
            }
            closeQuietly();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connections.open();
            try (Statement statement = connection.createStatement()) {
                statement.execute("set synchronous_commit to off");
            }
        }
        return connection;
    }

    private static void sendOn(Connection connection, String channel, String payload) throws SQLException {
        try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
            notify.setString(1, channel);
            notify.setString(2, payload);
            notify.execute();
        }
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        connection = null;
    }

    @PreDestroy
    void close() throws InterruptedException {
        sender.shutdown(); // lets queued notifications go out first
        if (sender.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
            closeQuietly();
        }
    }
}
