package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * Sticky cookie values are an HMAC under the cluster secret kept in PostgreSQL: a value the proxy did not issue
 * (forged from the names as the old unkeyed hash was, random, or keyed with another secret) pins nobody, least of
 * all to a drained backend; a genuine one keeps pinning, even to a backend of weight 0.
 */
@QuarkusTest
class StickyCookieForgeryTest {

    static final String DISTRIBUTOR = "st-forge";
    static final String HOST = "stforge.test";
    static TestBackend open;
    static TestBackend drained;

    @Inject
    DataSource dataSource;

    static boolean created;

    @BeforeAll
    static void startBackends() {
        open = TestBackend.start("open");
        drained = TestBackend.start("drained");
    }

    /** Not in @BeforeAll: that may run before the application has started. */
    @BeforeEach
    void createDistributor() {
        if (created) {
            return;
        }
        created = true;
        create("""
                {"name":"%s","hostnames":["%s"],"routing":"STICKY_SESSIONS","backends":[%s,%s]}"""
                .formatted(DISTRIBUTOR, HOST, backend(open, 1), backend(drained, 0)));
    }

    @AfterAll
    static void stopBackends() {
        open.close();
        drained.close();
    }

    @Test
    void anOldStyleUnkeyedValueIsANewClient() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest((DISTRIBUTOR + "\n" + drained.name()).getBytes(StandardCharsets.UTF_8));
        String oldStyle = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
        assertTreatedAsNew(oldStyle);
    }

    @Test
    void aRandomValueIsANewClient() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        assertTreatedAsNew(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        assertTreatedAsNew("");
        assertTreatedAsNew("drained");
    }

    @Test
    void aValueKeyedWithAnotherSecretIsANewClient() throws Exception {
        byte[] otherSecret = new byte[32];
        new SecureRandom().nextBytes(otherSecret);
        assertTreatedAsNew(token(otherSecret, DISTRIBUTOR, drained.name()));
    }

    /**
     * The cookie the proxy sets is the HMAC of the names under the secret stored in PostgreSQL, so any replica or a
     * restarted service on the same database (which reads the same secret) issues and accepts the same value.
     */
    @Test
    void aGenuineValueIsTheHmacUnderTheStoredSecretAndKeepsPinning() throws Exception {
        byte[] secret = storedSecret();
        HttpResponse<String> first = ProxyClient.get(HOST, "/");
        assertEquals("open", first.body());
        assertEquals(Optional.of("TD_ROUTE=" + token(secret, DISTRIBUTOR, "open")), ProxyClient.cookie(first, "TD_ROUTE"));

        // A genuine value for the drained backend (issued while it had weight, say) keeps its client there.
        String genuine = "TD_ROUTE=" + token(secret, DISTRIBUTOR, drained.name());
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = ProxyClient.get(HOST, "/", genuine);
            assertEquals("drained", response.body(), "a genuine cookie lost its pin");
            assertTrue(ProxyClient.setCookie(response, "TD_ROUTE").isEmpty(), "a pinned client got a new cookie");
        }
    }

    /** The value does not verify: the balancer picks (never the weight-0 backend) and the client gets a fresh cookie. */
    private static void assertTreatedAsNew(String value) {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = ProxyClient.get(HOST, "/", "TD_ROUTE=" + value);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("open", response.body(), "a forged cookie reached the drained backend");
            String fresh = ProxyClient.cookie(response, "TD_ROUTE")
                    .orElseThrow(() -> new AssertionError("a client with a forged cookie got no fresh one"));
            assertNotEquals("TD_ROUTE=" + value, fresh);
        }
    }

    private byte[] storedSecret() throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select secret from cluster_secret where name = 'sticky-cookie'");
                ResultSet row = query.executeQuery()) {
            assertTrue(row.next(), "no sticky-cookie secret in cluster_secret");
            byte[] secret = row.getBytes(1);
            assertEquals(32, secret.length);
            return secret;
        }
    }

    private static String token(byte[] secret, String distributor, String backend) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] full = mac.doFinal((distributor + "\n" + backend).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, 16));
    }
}
