package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.TestBackend;
import io.trafficdistributor.support.TestCertificates;
import io.trafficdistributor.support.TestCertificates.Issued;
import io.trafficdistributor.support.TestCertificates.KeyType;

/**
 * The HTTPS listener with real TLS clients (the JDK's SSLSocket, openssl s_client, curl): the certificate SNI picks,
 * the protocols it refuses, rotation while a connection stays open, and what the backend is told.
 */
@QuarkusTest
class TlsListenerTest {

    static final Issued ROOT = TestCertificates.root("TLS Test Root");
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("a");
    }

    /**
     * A client trusting ROOT, with a session cache of its own: the JDK's client would otherwise offer a session of
     * an earlier connection to the same address (whatever its SNI name) and show that session's certificate.
     */
    static SSLContext client() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", ROOT.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    static int httpsPort() {
        return ConfigProvider.getConfig().getValue("td.proxy.https-port", Integer.class);
    }

    static void upload(String name, Issued leaf) {
        json("{\"name\":\"%s\",\"certificate\":%s,\"privateKey\":%s}".formatted(name, quote(leaf.chainPem()),
                quote(leaf.keyPem()))).post("/api/v1/certificates").then().statusCode(201);
    }

    static String quote(String text) {
        return "\"" + text.replace("\n", "\\n") + "\"";
    }

    static void distributor(String name, String hostnames, String tls) {
        json("""
                {"name":"%s","hostnames":[%s],"routing":"STICKY_SESSIONS","backends":[{"name":"a","url":"%s"}]%s}"""
                .formatted(name, hostnames, backend.url(), tls == null ? "" : ",\"tls\":" + tls))
                .post("/api/v1/distributors").then().statusCode(201);
    }

    /** A TLS connection to the HTTPS listener naming {@code sni} (none when null), its chain checked against ROOT. */
    static SSLSocket connect(String sni, String... protocols) throws Exception {
        SSLSocket socket = (SSLSocket) client().getSocketFactory().createSocket("127.0.0.1", httpsPort());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    static X509Certificate served(String sni) throws Exception {
        try (SSLSocket socket = connect(sni)) {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    static List<String> names(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)).toList();
    }

    /** One GET over an open connection, kept alive; the response head and body as text. */
    static String get(SSLSocket socket, String host, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void sniPicksTheExactNameThenTheWildcardThenTheDefaultElseUnrecognizedName() throws Exception {
        Issued exact = TestCertificates.leaf(ROOT, KeyType.RSA, "sni.tls.test");
        Issued wildcard = TestCertificates.leaf(ROOT, KeyType.EC, "*.tls.test");
        upload("tls-sni-exact", exact);
        upload("tls-sni-wildcard", wildcard);

        assertEquals(List.of("sni.tls.test"), names(served("sni.tls.test")));
        assertEquals(List.of("*.tls.test"), names(served("other.tls.test")));
        // A session resumes under the certificate it was made with, never under another one.
        Path session = Files.createTempFile("tls-session", ".pem");
        try {
            assertTrue(sClient("sni.tls.test", "-sess_out", session.toString()).contains("New, TLSv1.2"));
            assertTrue(sClient("sni.tls.test", "-sess_in", session.toString()).contains("Reused, TLSv1.2"));
            assertTrue(sClient("other.tls.test", "-sess_in", session.toString()).contains("New, TLSv1.2"));
        } finally {
            Files.delete(session);
        }
        // One label only: a.b.tls.test is not covered, and there is no default certificate yet.
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> served("a.b.tls.test"));
        assertTrue(refused.getMessage().contains("unrecognized_name"), refused.getMessage());
        refused = assertThrows(SSLHandshakeException.class, () -> served(null));
        assertTrue(refused.getMessage().contains("unrecognized_name"), refused.getMessage());

        Issued fallback = TestCertificates.leaf(ROOT, KeyType.RSA, "default.tls-fallback.test");
        upload("tls-default", fallback);
        try {
            assertEquals(List.of("default.tls-fallback.test"), names(served("a.b.tls.test")));
            assertEquals(List.of("default.tls-fallback.test"), names(served(null)));
            assertEquals(List.of("sni.tls.test"), names(served("sni.tls.test")));
        } finally {
            api().delete("/api/v1/certificates/tls-default").then().statusCode(204);
        }
        assertThrows(SSLHandshakeException.class, () -> served(null));

        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("td_tls_handshakes_total{protocol=\"TLSv1.3\",result=\"ok\"}"), metrics);
        assertTrue(metrics.contains("td_tls_handshakes_total{protocol=\"-\",result=\"unrecognized_name\"}"), metrics);
        assertTrue(metrics.contains("td_certificate_expiry_seconds{certificate=\"tls-sni-exact\"}"), metrics);
    }

    /** openssl s_client over TLS 1.2 naming {@code sni}: what it prints. */
    static String sClient(String sni, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + httpsPort(),
                "-servername", sni, "-tls1_2"));
        command.addAll(List.of(arguments));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        client.getOutputStream().close();
        String output = new String(client.getInputStream().readAllBytes());
        assertTrue(client.waitFor(20, TimeUnit.SECONDS));
        return output;
    }

    @Test
    void tls12IsServedAndTls10And11AreRefused() throws Exception {
        upload("tls-versions", TestCertificates.leaf(ROOT, KeyType.EC, "versions.tls-v.test"));
        try (SSLSocket socket = connect("versions.tls-v.test", "TLSv1.2")) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
        }
        try (SSLSocket socket = connect("versions.tls-v.test")) {
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
        // The JDK's client no longer offers TLS 1.0/1.1; OpenSSL's does, at security level 0.
        for (String old : new String[] { "-tls1", "-tls1_1" }) {
            Process client = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + httpsPort(),
                    "-servername", "versions.tls-v.test", old, "-cipher", "DEFAULT:@SECLEVEL=0")
                    .redirectErrorStream(true).start();
            client.getOutputStream().close();
            String output = new String(client.getInputStream().readAllBytes());
            assertTrue(client.waitFor(20, TimeUnit.SECONDS));
            assertNotEquals(0, client.exitValue(), output);
            assertTrue(output.contains("alert protocol version") || output.contains("wrong version number")
                    || output.contains("unsupported protocol"), old + ": " + output);
        }
    }

    @Test
    void aRotationIsSeenByTheNextHandshakeWhileAnOpenConnectionKeepsItsOwn() throws Exception {
        distributor("tls-rotate", "\"rotate.tls-r.test\"", null);
        Issued first = TestCertificates.leaf(ROOT, KeyType.RSA, "rotate.tls-r.test");
        Issued second = TestCertificates.leaf(ROOT, KeyType.EC, "rotate.tls-r.test");
        upload("tls-rotate", first);
        api().get("/api/v1/certificates/tls-rotate").then().body("hostnames", org.hamcrest.Matchers.contains("rotate.tls-r.test"));

        try (SSLSocket open = connect("rotate.tls-r.test")) {
            assertTrue(get(open, "rotate.tls-r.test", "/").startsWith("HTTP/1.1 200"));
            json("{\"certificate\":%s,\"privateKey\":%s}".formatted(quote(second.chainPem()), quote(second.keyPem())))
                    .header("If-Match", "\"0\"").put("/api/v1/certificates/tls-rotate").then().statusCode(200);

            // No wait: the API answered, so the next handshake has the new certificate.
            assertEquals(second.certificate(), served("rotate.tls-r.test"));
            String again = get(open, "rotate.tls-r.test", "/");
            assertTrue(again.startsWith("HTTP/1.1 200"), again);
            assertEquals(first.certificate(), open.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void theBackendIsToldHttpsAndTheStickyCookieIsSecure() throws Exception {
        distributor("tls-proto", "\"proto.tls-p.test\"", null);
        upload("tls-proto", TestCertificates.leaf(ROOT, KeyType.RSA, "proto.tls-p.test"));
        backend.clearReceived();
        try (SSLSocket socket = connect("proto.tls-p.test")) {
            String response = get(socket, "proto.tls-p.test", "/");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("; Secure"), response);
        }
        Map<String, String> headers = TestBackend.asMap(backend.lastReceived().headers());
        assertEquals("https", headers.get("x-forwarded-proto"), headers.toString());
        assertTrue(headers.get("forwarded").contains("proto=https"), headers.toString());
        assertEquals(Integer.toString(httpsPort()), headers.get("x-forwarded-port"), headers.toString());
    }

    @Test
    void curlReachesTheBackendOverHttps(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        distributor("tls-curl", "\"curl.tls-c.test\"", null);
        upload("tls-curl", TestCertificates.leaf(ROOT, KeyType.EC, "curl.tls-c.test"));
        Path root = dir.resolve("root.pem");
        Files.writeString(root, ROOT.certificatePem());
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--cacert", root.toString(), "--resolve",
                "curl.tls-c.test:" + httpsPort() + ":127.0.0.1", "https://curl.tls-c.test:" + httpsPort() + "/")
                .redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes());
        assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue(), output);
        assertEquals("a", output);
    }

    @Test
    void aCertificateWrittenByAnotherReplicaIsServedThroughNotify() throws Exception {
        Issued leaf = TestCertificates.leaf(ROOT, KeyType.RSA, "notify.tls-n.test");
        assertThrows(SSLHandshakeException.class, () -> served("notify.tls-n.test"));
        // What another replica does: insert the row, then NOTIFY (here without a secret: key_encryption 'none').
        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                PreparedStatement insert = connection.prepareStatement("""
                        insert into certificate (id, name, source, certificate_pem, private_key, key_encryption, dns_names,
                            issuer, not_before, not_after, fingerprint_sha256, version, created_at, updated_at)
                        values (?, 'tls-notify', 'UPLOADED', ?, ?, 'none', 'notify.tls-n.test', 'CN=TLS Test Root',
                            now(), now() + interval '1 day', 'unused', 0, now(), now())""")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, leaf.certificatePem());
            insert.setBytes(3, leaf.keyPem().getBytes(StandardCharsets.US_ASCII));
            insert.executeUpdate();
            connection.createStatement().execute("NOTIFY td_certificate_changed, 'tls-notify'");
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> served("notify.tls-n.test").equals(leaf.certificate()));

        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "")) {
            connection.createStatement().executeUpdate("delete from certificate where name = 'tls-notify'");
            connection.createStatement().execute("NOTIFY td_certificate_changed, 'tls-notify'");
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try {
                        served("notify.tls-n.test");
                        return false;
                    } catch (SSLHandshakeException e) {
                        return true;
                    }
                });
    }

    @Test
    void plainHttpIsRedirectedWithA308AndHttpsAnswersCarryHsts() throws Exception {
        distributor("tls-redirect", "\"redirect.tls-h.test\"", "{\"redirectHttp\":true,\"hstsMaxAgeSeconds\":31536000}");
        upload("tls-redirect", TestCertificates.leaf(ROOT, KeyType.EC, "redirect.tls-h.test"));

        var redirected = io.trafficdistributor.support.ProxyClient.get("redirect.tls-h.test", "/a/../b?x=1");
        assertEquals(308, redirected.statusCode(), redirected.body());
        assertEquals("https://redirect.tls-h.test:" + httpsPort() + "/b?x=1",
                redirected.headers().firstValue("Location").orElse(null));
        // ACME's HTTP-01 challenges stay on plain HTTP, answered by the proxy itself (an unknown token: 404, not 308).
        assertEquals(404, io.trafficdistributor.support.ProxyClient.get("redirect.tls-h.test",
                "/.well-known/acme-challenge/token").statusCode());

        try (SSLSocket socket = connect("redirect.tls-h.test")) {
            String response = get(socket, "redirect.tls-h.test", "/b");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.toLowerCase().contains("strict-transport-security: max-age=31536000"), response);
        }
        // Without the settings: no redirect, no HSTS.
        distributor("tls-plain", "\"plain.tls-h.test\"", null);
        upload("tls-plain", TestCertificates.leaf(ROOT, KeyType.EC, "plain.tls-h.test"));
        assertEquals(200, io.trafficdistributor.support.ProxyClient.get("plain.tls-h.test", "/").statusCode());
        try (SSLSocket socket = connect("plain.tls-h.test")) {
            assertTrue(!get(socket, "plain.tls-h.test", "/").toLowerCase().contains("strict-transport-security"));
        }
    }

    @Test
    void acmeForOnlyWildcardsIsRefusedAndTheTlsSettingsAreValidated() {
        io.trafficdistributor.support.Problems.assertViolation(json("""
                {"name":"tls-acme","hostnames":["*.acme.tls-a.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}],
                 "tls":{"acme":true}}""").post("/api/v1/distributors"), "tls.acme");
        io.trafficdistributor.support.Problems.assertViolation(json("""
                {"name":"tls-acme","hostnames":["acme.tls-a.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}],
                 "tls":{"hstsMaxAgeSeconds":-1}}""").post("/api/v1/distributors"), "tls.hstsMaxAgeSeconds");
        io.trafficdistributor.support.Problems.assertViolation(json("""
                {"name":"tls-acme","hostnames":["acme.tls-a.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}],
                 "tls":{"redirect":true}}""").post("/api/v1/distributors"), "tls.redirect");
        json("""
                {"name":"tls-acme","hostnames":["acme.tls-a.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}""")
                .post("/api/v1/distributors").then().statusCode(201)
                .body("tls.acme", org.hamcrest.Matchers.equalTo(false))
                .body("tls.redirectHttp", org.hamcrest.Matchers.equalTo(false))
                .body("tls.hstsMaxAgeSeconds", org.hamcrest.Matchers.nullValue());
    }
}
