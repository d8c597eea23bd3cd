package io.trafficdistributor.service;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

/**
 * Secrets shared by every replica, kept in PostgreSQL ({@code cluster_secret}): the first service to ask for one
 * generates it, every later one (on any replica, after any restart) reads the same.
 */
@ApplicationScoped
public class ClusterSecrets {

    static final String STICKY_COOKIE = "sticky-cookie";
    static final int SECRET_BYTES = 32;

    /**
     * Two replicas starting at once may both insert: the second insert waits for the first's commit on the
     * primary key and then does nothing, and the select (a new statement, so a new snapshot) reads the winner.
     */
    private static final String INSERT_IF_ABSENT = "insert into cluster_secret (name, secret) values (?, ?) on conflict (name) do nothing";
    private static final String SELECT = "select secret from cluster_secret where name = ?";

    @Inject
    EntityManager entityManager;

    /** The key of the sticky-session cookies' HMAC: 32 random bytes, the same on every replica. */
    @Transactional
    public byte[] stickyCookieKey() {
        return entityManager.unwrap(Session.class).doReturningWork(connection -> secret(connection, STICKY_COOKIE));
    }

    static byte[] secret(Connection connection, String name) throws SQLException {
        byte[] candidate = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(candidate);
        try (PreparedStatement insert = connection.prepareStatement(INSERT_IF_ABSENT)) {
            insert.setString(1, name);
            insert.setBytes(2, candidate);
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(SELECT)) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("cluster secret '" + name + "' was neither inserted nor found");
                }
                return row.getBytes(1);
            }
        }
    }
}
