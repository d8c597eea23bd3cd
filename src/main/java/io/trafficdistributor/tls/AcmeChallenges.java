package io.trafficdistributor.tls;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * The HTTP-01 challenge tokens of ACME orders in progress (RFC 8555 §8.3), kept in PostgreSQL so that whichever
 * replica the ACME server's validation reaches answers it. The replica that orders also keeps its own tokens in
 * memory; any other replica reads a token it does not know with one short query on a worker thread of its own, so
 * the proxy's event loop never waits on JDBC.
 */
@ApplicationScoped
public class AcmeChallenges {

    private static final Logger LOG = Logger.getLogger(AcmeChallenges.class);
    /** RFC 8555 §8.1: a token is base64url, at least 128 bits of entropy. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,255}");

    @Inject
    DataSource dataSource;

    /** Token → key authorization, of the orders this replica runs now. */
    private final Map<String, String> local = new ConcurrentHashMap<>();
    /** Few threads and a short queue: a flood of challenge requests gets 404s, not a backlog of queries. */
    private final ExecutorService lookups = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(256), r -> {
                Thread thread = new Thread(r, "td-acme-challenge-lookup");
                thread.setDaemon(true);
                return thread;
            });

    public static boolean isToken(String token) {
        return token != null && TOKEN.matcher(token).matches();
    }

    /** The key authorization for {@code token} when this replica has it in memory, else null. Any thread. */
    public String cached(String token) {
        return local.get(token);
    }

    /**
     * The key authorization for {@code token}, read from PostgreSQL off the caller's thread; empty when unknown (or
     * the database cannot be read: the ACME server's validation then fails and the order is retried).
     */
    public CompletableFuture<Optional<String>> find(String token) {
        if (!isToken(token)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String known = local.get(token);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        try {
            return CompletableFuture.supplyAsync(() -> read(token), lookups);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
    }

    private Optional<String> read(String token) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select key_authorization from acme_challenge where token = ?")) {
            select.setString(1, token);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            LOG.warnf("Could not read an ACME challenge token from PostgreSQL: %s", e.getMessage());
            return Optional.empty();
        }
    }

    /** Publishes a challenge before the ACME server is told to validate it: committed, so every replica sees it. */
    public void publish(String distributor, String token, String keyAuthorization) throws SQLException {
        local.put(token, keyAuthorization);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into acme_challenge (token, key_authorization, distributor, created_at) values (?, ?, ?, ?)
                        on conflict (token) do update set key_authorization = excluded.key_authorization""")) {
            insert.setString(1, token);
            insert.setString(2, keyAuthorization);
            insert.setString(3, distributor);
            insert.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    /** Forgets the challenges of a finished order (and any older than an hour, of an order cut short by a crash). */
    public void withdraw(String distributor) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "delete from acme_challenge where distributor = ? or created_at < now() - interval '1 hour'"
                                + " returning token")) {
            delete.setString(1, distributor);
            try (ResultSet rows = delete.executeQuery()) {
                while (rows.next()) {
                    local.remove(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            LOG.warnf("Could not remove the ACME challenges of '%s' (removed at its next order): %s", distributor,
                    e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        lookups.shutdownNow();
    }
}
