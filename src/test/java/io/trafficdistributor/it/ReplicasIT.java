package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.support.TestBackend;
import io.trafficdistributor.support.TestCertificates;

/** Two instances of the service on one PostgreSQL, as replicas behind a load balancer run. */
class ReplicasIT {

    static Postgres postgres;
    static TestBackend a;
    static TestBackend b;
    static ServiceProcess one;
    static ServiceProcess two;

    @BeforeAll
    static void start() throws Exception {
        postgres = new Postgres().start();
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        // Both with the same secret, as replicas must be: keys one encrypts, the other decrypts.
        java.util.Map<String, String> settings = new java.util.HashMap<>(postgres.datasource());
        settings.put("td.secret-key", "replicas-it-secret");
        one = ServiceProcess.start("replica-one", settings);
        two = ServiceProcess.start("replica-two", settings);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] { one, two, a, b, postgres }) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** Polls {@code replica}'s proxy until {@code host} answers {@code status} with {@code body}; returns the wait. */
    static long awaitServed(ServiceProcess replica, String host, int status, String body) throws Exception {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(5).toNanos();
        HttpResponse<String> last;
        do {
            last = replica.proxy(host, "/");
            if (last.statusCode() == status && (body == null || body.equals(last.body()))) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the other replica still answers " + last.statusCode() + " " + last.body()
                + " for " + host + " 5 s after the change");
    }

    @Test
    void aChangeWrittenOnOneReplicaIsServedByTheOther() throws Exception {
        // A first change through a freshly started replica runs cold code (its first NOTIFY, first reload, first
        // compile); the bound below is for changes in steady state, so one goes through untimed first.
        one.create("""
                {"name":"warm-up","hostnames":["warm-up.test"],"backends":[{"name":"a","url":"%s"}]}""".formatted(a.url()));
        awaitServed(two, "warm-up.test", 200, "a");
        one.create("""
                {"name":"shared","hostnames":["shared.test"],"backends":[{"name":"a","url":"%s"}]}""".formatted(a.url()));
        long createdAfter = awaitServed(two, "shared.test", 200, "a");

        HttpResponse<String> updated = one.admin("PUT", "/api/v1/distributors/shared", """
                {"hostnames":["shared.test"],"backends":[{"name":"b","url":"%s"}]}""".formatted(b.url()));
        assertEquals(200, updated.statusCode(), updated.body());
        long updatedAfter = awaitServed(two, "shared.test", 200, "b");

        // And the other way round: a write on the second replica reaches the first.
        assertEquals(204, two.admin("DELETE", "/api/v1/distributors/shared", null).statusCode());
        long deletedAfter = awaitServed(one, "shared.test", 404, null);

        // The DESIGN's bound is 200 ms (bench/replicas.sh measures its p99); 1 s here leaves room for a slow CI machine.
        for (long millis : new long[] { createdAfter, updatedAfter, deletedAfter }) {
            assertTrue(millis < 1000, "a change took " + millis + " ms to reach the other replica");
        }
    }

    @Test
    void exactlyOneReplicaDrivesAShift() throws Exception {
        one.create("""
                {"name":"shifted","hostnames":["shifted.test"],"healthCheck":{"enabled":false},
                 "backends":[{"name":"a","url":"%s","weight":100},{"name":"b","url":"%s","weight":0}]}"""
                .formatted(a.url(), b.url()));
        HttpResponse<String> started = two.admin("POST", "/api/v1/distributors/shifted/shift",
                "{\"weights\":{\"a\":0,\"b\":100},\"durationSeconds\":4,\"steps\":4}");
        assertEquals(202, started.statusCode(), started.body());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String shift;
        do {
            Thread.sleep(100);
            shift = one.admin("GET", "/api/v1/distributors/shifted/shift", null).body();
        } while (shift.contains("\"state\":\"RUNNING\"") && System.nanoTime() < deadline);
        assertTrue(shift.contains("\"state\":\"COMPLETED\""), shift);

        // Every step written once, by one replica: a second driver would write a step twice or cancel the shift.
        com.fasterxml.jackson.databind.JsonNode history = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(one.admin("GET", "/api/v1/distributors/shifted/revisions", null).body());
        java.util.List<String> changes = new java.util.ArrayList<>();
        history.get("items").forEach(r -> changes.add(r.get("version").asInt() + " " + r.get("change").asText()));
        assertEquals(java.util.List.of("4 SHIFT", "3 SHIFT", "2 SHIFT", "1 SHIFT", "0 CREATE"), changes);
        String step = "Shift of distributor 'shifted': step ";
        long byOne = one.log().lines().filter(line -> line.contains(step)).count();
        long byTwo = two.log().lines().filter(line -> line.contains(step)).count();
        assertTrue(byOne == 4 && byTwo == 0 || byOne == 0 && byTwo == 4, "steps logged by replica one: " + byOne
                + ", by replica two: " + byTwo);
        String drives = "This replica drives the gradual shifts now";
        assertEquals(1, (one.log().contains(drives) ? 1 : 0) + (two.log().contains(drives) ? 1 : 0),
                "not exactly one replica took the shift driver's lock");
        // Each step is an ordinary write: both replicas route by the target now.
        awaitServed(one, "shifted.test", 200, "b");
        awaitServed(two, "shifted.test", 200, "b");
    }

    @Test
    void aStickyCookieFromOneReplicaIsHonouredByTheOther() throws Exception {
        one.create("""
                {"name":"pinned","hostnames":["pinned.test"],"routing":"STICKY_SESSIONS",
                 "backends":[{"name":"a","url":"%s"},{"name":"b","url":"%s"}]}""".formatted(a.url(), b.url()));
        awaitServed(two, "pinned.test", 200, null);

        Set<String> pinnedTo = new HashSet<>();
        for (int client = 0; client < 4; client++) {
            // A new client is pinned by the first replica it reaches ...
            HttpResponse<String> first = one.proxy("pinned.test", "/");
            String cookie = first.headers().firstValue("Set-Cookie")
                    .orElseThrow(() -> new AssertionError("no sticky cookie from the first replica"));
            String pair = cookie.substring(0, cookie.indexOf(';'));
            assertTrue(pair.startsWith("TD_ROUTE="), cookie);
            pinnedTo.add(first.body());
            // ... and stays on that backend through the other one, which sets no new cookie.
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> next = two.proxy("pinned.test", "/", "Cookie", pair);
                assertEquals(first.body(), next.body(), "the other replica moved a pinned client");
                assertTrue(next.headers().firstValue("Set-Cookie").isEmpty(), "the other replica re-pinned the client");
            }
        }
        assertEquals(Set.of("a", "b"), pinnedTo, "new clients were not spread over both backends");
    }

    @Test
    void aCertificateUploadedThroughOneReplicaIsServedByTheOther() throws Exception {
        TestCertificates.Issued root = TestCertificates.root("Replicas IT Root");
        TestCertificates.Issued leaf = TestCertificates.leaf(root, TestCertificates.KeyType.EC, "tls-shared.test");
        String upload = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of(
                "name", "tls-shared", "certificate", leaf.chainPem(), "privateKey", leaf.keyPem()));
        javax.net.ssl.SSLContext client = trusting(root);
        // The client's first handshake loads the JDK's TLS classes: done before the clock starts (refused, no certificate yet).
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> servedBy(client, two.httpsPort, "tls-shared.test"));
        HttpResponse<String> created = one.admin("POST", "/api/v1/certificates", upload);
        assertEquals(201, created.statusCode(), created.body());
        long start = System.nanoTime();
        java.security.cert.Certificate served = null;
        while (System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
            try {
                served = servedBy(client, two.httpsPort, "tls-shared.test");
                break;
            } catch (java.io.IOException notYet) {
                Thread.sleep(20);
            }
        }
        assertEquals(leaf.certificate(), served, "the other replica does not serve the uploaded certificate");
        long millis = (System.nanoTime() - start) / 1_000_000;
        // The replica's first certificate runs cold code (its first TLS context, BoringSSL's first keys): 1.1 s was
        // seen on a loaded machine; a change of a distributor, warm, takes well under the 1 s bound above.
        assertTrue(millis < 3000, "the certificate took " + millis + " ms to reach the other replica");
        assertEquals(204, two.admin("DELETE", "/api/v1/certificates/tls-shared", null).statusCode());
    }

    /** The leaf certificate a TLS handshake naming {@code sni} gets, as {@code client} sees it. */
    static java.security.cert.Certificate servedBy(javax.net.ssl.SSLContext client, int port, String sni) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(sni)));
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    /** A TLS client that trusts {@code root} alone. */
    static javax.net.ssl.SSLContext trusting(TestCertificates.Issued root) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root.certificate());
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
