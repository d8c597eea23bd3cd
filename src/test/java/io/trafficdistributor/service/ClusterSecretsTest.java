package io.trafficdistributor.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The cluster secret is generated once per database and read by everyone after, also by two starting at once. */
@QuarkusTest
class ClusterSecretsTest {

    @Inject
    ClusterSecrets secrets;

    @Inject
    DataSource dataSource;

    @Test
    void theStickyCookieKeyIsThirtyTwoBytesAndTheSameAtEveryRead() {
        byte[] key = secrets.stickyCookieKey();
        assertEquals(32, key.length);
        assertArrayEquals(key, secrets.stickyCookieKey());
    }

    /** Two replicas starting on a new database at the same moment: both insert, one wins, both read the winner. */
    @Test
    void twoFirstStartsAtOnceAgreeOnOneSecret() throws Exception {
        String name = "race-" + UUID.randomUUID();
        CyclicBarrier together = new CyclicBarrier(2);
        // Two threads of its own: the common pool may have one only on two cores (JDK 25 ran both on it, in turn).
        ExecutorService starts = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<byte[]> one = CompletableFuture.supplyAsync(() -> generate(name, together), starts);
            CompletableFuture<byte[]> other = CompletableFuture.supplyAsync(() -> generate(name, together), starts);
            assertArrayEquals(one.get(30, TimeUnit.SECONDS), other.get(30, TimeUnit.SECONDS));
            assertArrayEquals(one.get(), generate(name, null), "a later start reads the same secret");
        } finally {
            starts.shutdownNow();
        }
    }

    private byte[] generate(String name, CyclicBarrier together) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            if (together != null) {
                together.await(10, TimeUnit.SECONDS);
            }
            byte[] secret = ClusterSecrets.secret(connection, name);
            connection.commit();
            return secret;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
