package io.trafficdistributor.tls;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.trafficdistributor.support.CapturedLog;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.PebbleResource;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * ACME end to end against a real ACME server (pebble, {@link PebbleResource}): a distributor with {@code tls.acme}
 * gets a certificate by HTTP-01 on the proxy's plain port, served over HTTPS to a client trusting pebble's root;
 * renewed at two thirds of its (short) lifetime; a failing order shown in the status view and retried; a challenge
 * answered from PostgreSQL by a replica that did not order it; the account key in no answer and no log line.
 */
@QuarkusTest
@TestProfile(AcmeTest.WithPebble.class)
class AcmeTest {

    public static class WithPebble implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PebbleResource.class));
        }
    }

    static TestBackend backend;
    static CapturedLog serviceLog;
    static CapturedLog acme4jLog;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("acme-backend");
        serviceLog = new CapturedLog("io.trafficdistributor");
        acme4jLog = new CapturedLog("org.shredzone");
    }

    @AfterAll
    static void stop() {
        backend.close();
        serviceLog.close();
        acme4jLog.close();
    }

    static void distributor(String name, String hostnames) {
        json("""
                {"name":"%s","hostnames":[%s],"backends":[{"name":"a","url":"%s"}],"tls":{"acme":true}}"""
                .formatted(name, hostnames, backend.url())).post("/api/v1/distributors").then().statusCode(201);
    }

    static JsonPath status(String name) {
        return api().get("/api/v1/distributors/" + name + "/status").then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitValid(String name) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> "VALID".equals(status(name).getString("tls.state")));
        return status(name);
    }

    static SSLContext trustingPebble() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(PebbleResource.issuingRootPem().getBytes(StandardCharsets.US_ASCII)))) {
            trust.setCertificateEntry("pebble-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A GET over HTTPS naming {@code host} by SNI, chain and host name checked against pebble's root. */
    static String httpsGet(String host) throws Exception {
        int port = ConfigProvider.getConfig().getValue("td.proxy.https-port", Integer.class);
        try (SSLSocket socket = (SSLSocket) trustingPebble().getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Connection database() throws Exception {
        return DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
    }

    @Test
    void aDistributorWithAcmeGetsACertificateFromTheAcmeServerServedBySni() throws Exception {
        distributor("acme-shop", "\"www.shop.acme.test\",\"shop.acme.test\",\"*.shop.acme.test\"");
        assertEquals("PENDING", status("acme-shop").getString("tls.state").replace("VALID", "PENDING"));
        JsonPath status = awaitValid("acme-shop");
        assertEquals("acme-acme-shop", status.getString("tls.certificate"));
        assertNotNull(status.getString("tls.notAfter"));
        assertNotNull(status.getString("tls.renewAt"));

        JsonPath certificate = api().get("/api/v1/certificates/acme-acme-shop").then().statusCode(200).extract().jsonPath();
        assertEquals("ACME", certificate.getString("source"));
        assertEquals(List.of("shop.acme.test", "www.shop.acme.test"),
                certificate.getList("subjectAlternativeNames", String.class).stream().sorted().toList(),
                "the non-wildcard hostnames only");
        assertTrue(api().get("/api/v1/certificates?limit=500").then().statusCode(200).extract().jsonPath()
                .getList("items.name", String.class).contains("acme-acme-shop"));

        String response = httpsGet("www.shop.acme.test");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.contains("acme-backend"), response);

        // The name is kept for ACME: no upload may take it, no PUT replace it.
        json("{\"name\":\"acme-other\",\"certificate\":\"x\",\"privateKey\":\"y\"}").post("/api/v1/certificates")
                .then().statusCode(400).contentType("application/problem+json");
        json("{\"certificate\":\"x\",\"privateKey\":\"y\"}").put("/api/v1/certificates/acme-acme-shop")
                .then().statusCode(409).contentType("application/problem+json");

        // Turning ACME off removes the certificate and the status.
        json("{\"tls\":{\"acme\":false}}").contentType("application/merge-patch+json")
                .patch("/api/v1/distributors/acme-shop").then().statusCode(200);
        assertEquals((Object) null, status("acme-shop").get("tls"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api().get("/api/v1/certificates/acme-acme-shop").statusCode() == 404);
    }

    @Test
    void theCertificateIsRenewedAtTwoThirdsOfItsLifetime() throws Exception {
        distributor("acme-renew", "\"renew.acme.test\"");
        JsonPath first = awaitValid("acme-renew");
        String firstFingerprint = api().get("/api/v1/certificates/acme-acme-renew").then().extract().path("fingerprintSha256");
        String firstNotAfter = first.getString("tls.notAfter");
        await().atMost(Duration.ofSeconds(PebbleResource.VALIDITY_SECONDS + 30L)).pollInterval(Duration.ofMillis(500))
                .until(() -> !firstFingerprint.equals(api().get("/api/v1/certificates/acme-acme-renew").then().extract()
                        .path("fingerprintSha256")));
        JsonPath renewed = awaitValid("acme-renew");
        assertNotEquals(firstNotAfter, renewed.getString("tls.notAfter"));
        assertTrue(httpsGet("renew.acme.test").startsWith("HTTP/1.1 200"));
    }

    @Test
    void aFailingOrderIsShownInTheStatusAndRetriedWithBackoff() {
        distributor("acme-fail", "\"" + PebbleResource.BLOCKED_DOMAIN + "\"");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> "FAILED".equals(status("acme-fail").getString("tls.state")));
        JsonPath failed = status("acme-fail");
        assertNotNull(failed.getString("tls.lastError"));
        assertTrue(failed.getString("tls.lastError").toLowerCase().contains("blocked")
                || failed.getString("tls.lastError").toLowerCase().contains("policy"), failed.getString("tls.lastError"));
        assertNotNull(failed.getString("tls.nextAttemptAt"));
        assertEquals(null, failed.getString("tls.certificate"));
        // Retried (1 s, then 2 s, 4 s ...): the count of failures in a row grows.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> status("acme-fail").getInt("tls.failures") >= 3);
    }

    @Test
    void aChallengeOrderedByAnotherReplicaIsAnsweredFromPostgresqlForAnyHost() throws Exception {
        String token = "tokenOfAnotherReplica_0123456789-abc";
        try (Connection connection = database();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into acme_challenge (token, key_authorization, distributor, created_at)
                        values (?, ?, 'elsewhere', now())""")) {
            insert.setString(1, token);
            insert.setString(2, token + ".thumbprint");
            insert.executeUpdate();
        }
        var answer = ProxyClient.get("no-such-distributor.test", "/.well-known/acme-challenge/" + token);
        assertEquals(200, answer.statusCode());
        assertEquals(token + ".thumbprint", answer.body());
        // Unknown and malformed tokens: 404, never routed.
        assertEquals(404, ProxyClient.get("no-such-distributor.test", "/.well-known/acme-challenge/unknownToken_0123456789").statusCode());
        assertEquals(404, ProxyClient.get("no-such-distributor.test", "/.well-known/acme-challenge/short").statusCode());
        // A keep-alive connection goes on after an answer read from the database.
        for (int i = 0; i < 3; i++) {
            assertEquals(200, ProxyClient.get("x.test", "/.well-known/acme-challenge/" + token).statusCode());
        }
    }

    @Test
    void theAccountKeyIsStoredEncryptedAndInNoAnswerOrLogLine() throws Exception {
        distributor("acme-secret", "\"secret.acme.test\"");
        awaitValid("acme-secret");
        String keyPem;
        try (Connection connection = database();
                PreparedStatement select = connection.prepareStatement(
                        "select account_key, key_encryption from acme_account where id = 1");
                ResultSet row = select.executeQuery()) {
            assertTrue(row.next());
            assertEquals(KeyEncryption.AES_GCM, row.getString(2));
            assertFalse(new String(row.getBytes(1), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"));
            keyPem = new KeyEncryption(Optional.of("test-secret-key")).open("acme-account", row.getString(2), row.getBytes(1));
        }
        String body = keyPem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        String probe = body.substring(body.length() / 3, body.length() / 3 + 24);
        for (String answer : List.of(
                api().get("/api/v1/distributors/acme-secret/status").asString(),
                api().get("/api/v1/distributors/acme-secret").asString(),
                api().get("/api/v1/certificates?limit=500").asString(),
                api().get("/api/v1/certificates/acme-acme-secret").asString())) {
            assertFalse(answer.contains(probe), "the account key in an API answer");
            assertFalse(answer.contains("PRIVATE KEY"));
        }
        for (String line : serviceLog.lines) {
            assertFalse(line.contains(probe) || line.contains("PRIVATE KEY"), "the account key in a log line: " + line);
        }
        for (String line : acme4jLog.lines) {
            assertFalse(line.contains(probe) || line.contains("PRIVATE KEY"), "the account key in a log line: " + line);
        }
        assertTrue(serviceLog.lines.stream().anyMatch(l -> l.contains("acme-secret")), "the ACME log lines are captured");
    }

}
