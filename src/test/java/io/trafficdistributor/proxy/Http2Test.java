package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.usedHeapAfterGc;
import static io.trafficdistributor.support.Api.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.RawH2;
import io.trafficdistributor.support.TestBackend;
import io.trafficdistributor.support.TestCertificates;
import io.trafficdistributor.support.TestCertificates.Issued;
import io.trafficdistributor.support.TestCertificates.KeyType;
import io.vertx.core.MultiMap;

/**
 * HTTP/2 on the HTTPS listener with real clients (the JDK's HttpClient, curl) and a raw frame writer ({@link RawH2})
 * for what no polite client sends: every stream is an exchange like an HTTP/1.1 request, and each limit holds
 * against the flood it is for, while other connections go on being served.
 */
@QuarkusTest
class Http2Test {

    static final Issued LEAF = TestCertificates.leaf(TlsListenerTest.ROOT, KeyType.EC, "*.h2.test");
    static final String A = "a.h2.test";
    static final String B = "b.h2.test";
    static TestBackend backendA;
    static TestBackend backendB;
    static SSLContext tls;

    static boolean created;

    @BeforeAll
    static void start() throws Exception {
        backendA = TestBackend.start("h2-a");
        backendB = TestBackend.start("h2-b");
        tls = TlsListenerTest.client();
    }

    /** The API is up only once the first test runs. */
    @BeforeEach
    void distributors() {
        if (created) {
            return;
        }
        created = true;
        TlsListenerTest.upload("h2-wildcard", LEAF);
        create("""
                {"name":"h2-a","hostnames":["%s"],"routing":"STICKY_SESSIONS","backends":[{"name":"a","url":"%s"}],
                 "healthCheck":{"enabled":false}}""".formatted(A, backendA.url()));
        create("""
                {"name":"h2-b","hostnames":["%s"],"backends":[{"name":"b","url":"%s"}],
                 "healthCheck":{"enabled":false}}""".formatted(B, backendB.url()));
    }

    @AfterAll
    static void stop() {
        backendA.close();
        backendB.close();
    }

    static int port() {
        return TlsListenerTest.httpsPort();
    }

    static RawH2 connect() throws IOException {
        return RawH2.tls(tls, port(), A, 0);
    }

    /**
     * The JDK's HTTP/2 client to 127.0.0.1 with SNI {@code a.h2.test}: the chain is checked against the test root,
     * the name is not (the client would check the address).
     */
    static HttpClient jdkClient() throws Exception {
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", TlsListenerTest.ROOT.certificate());
        factory.init(trust);
        javax.net.ssl.X509TrustManager chain = (javax.net.ssl.X509TrustManager) factory.getTrustManagers()[0];
        javax.net.ssl.X509ExtendedTrustManager chainOnly = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] certificates, String auth,
                    javax.net.ssl.SSLEngine engine) throws java.security.cert.CertificateException {
                chain.checkServerTrusted(certificates, auth);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] certificates, String auth,
                    java.net.Socket socket) throws java.security.cert.CertificateException {
                chain.checkServerTrusted(certificates, auth);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] certificates, String auth)
                    throws java.security.cert.CertificateException {
                chain.checkServerTrusted(certificates, auth);
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return chain.getAcceptedIssuers();
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] { chainOnly }, null);
        javax.net.ssl.SSLParameters parameters = new javax.net.ssl.SSLParameters();
        parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(A)));
        parameters.setProtocols(new String[] { "TLSv1.3", "TLSv1.2" }); // without them the JDK offers no h2
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(context).sslParameters(parameters)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void alpnChoosesH2AndAStreamReachesItsBackendAsAnHttp11RequestWithTheRightHead() throws Exception {
        try (RawH2 client = connect()) {
            client.get(1, A, "/hello?x=1", "user-agent", "raw-h2", "cookie", "a=1", "cookie", "b=2");
            client.flush();
            RawH2.Response response = client.response(1);
            assertEquals(200, response.status());
            assertEquals("h2-a", response.body());
            // HTTP/1.1-only headers never reach an HTTP/2 client; the sticky cookie is Secure over TLS.
            for (String name : List.of("connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection")) {
                assertFalse(response.headers().contains(name), name + " in " + response.headers());
            }
            assertTrue(response.headers().get("set-cookie").toString().contains("; Secure"), response.headers().toString());
            // A chunked answer reaches the client as DATA frames, without its Transfer-Encoding.
            client.get(3, A, "/?chunked=5000");
            client.flush();
            RawH2.Response chunked = client.response(3);
            assertEquals(5000, chunked.body().length());
            assertFalse(chunked.headers().contains("transfer-encoding"), chunked.headers().toString());
        }
        MultiMap seen = backendA.received().stream().filter(r -> r.uri().equals("/hello?x=1")).findFirst()
                .orElseThrow().headers();
        assertEquals("https", seen.get("X-Forwarded-Proto"));
        assertEquals(A, seen.get("X-Forwarded-Host"));
        assertEquals(A, seen.get("Host"));
        assertTrue(seen.get("Forwarded").contains("proto=https"), seen.get("Forwarded"));
        assertEquals("a=1; b=2", seen.get("Cookie"));
        assertEquals("raw-h2", seen.get("User-Agent"));
        for (String name : seen.names()) {
            assertFalse(name.toLowerCase().startsWith("x-http2-") || name.startsWith(":"), name);
        }
    }

    @Test
    void theJdkClientGetsHttp2AndItsHostHeaderMustAgreeWithItsAuthority() throws Exception {
        HttpClient client = jdkClient();
        // :authority is the URI's, 127.0.0.1, which no distributor serves: the proxy's own answer, over HTTP/2.
        HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, unknown.version());
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("127.0.0.1"), unknown.body());
        // The JDK sends a Host header beside :authority; naming another host is a 400, never a choice between them.
        HttpResponse<String> disagree = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/"))
                .header("Host", A).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, disagree.version());
        assertEquals(400, disagree.statusCode());
        assertTrue(disagree.body().contains(":authority and Host"), disagree.body());
    }

    @Test
    void curlReachesTheBackendOverHttp2AndRoutesByAuthority() throws Exception {
        Path root = Files.createTempFile("h2-root", ".pem");
        try {
            Files.writeString(root, TlsListenerTest.ROOT.certificatePem());
            for (String host : List.of(A, B)) {
                Process curl = new ProcessBuilder("curl", "-sS", "--http2", "--cacert", root.toString(), "--resolve",
                        host + ":" + port() + ":127.0.0.1", "-w", " %{http_version}", "https://" + host + ":" + port() + "/")
                        .redirectErrorStream(true).start();
                String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
                assertEquals((host.equals(A) ? "h2-a" : "h2-b") + " 2", output);
            }
        } finally {
            Files.delete(root);
        }
    }

    @Test
    void authorityRoutesAndAHostHeaderThatDisagreesIsA400() throws Exception {
        try (RawH2 client = connect()) {
            client.get(1, B, "/");
            client.get(3, A, "/", "host", A); // agrees: one host
            client.get(5, A, "/", "host", B); // disagrees
            client.headers(7, true, ":method", "GET", ":scheme", "https", ":path", "/", "host", B); // no :authority
            client.headers(9, true, ":method", "GET", ":scheme", "https", ":path", "/"); // neither
            client.flush();
            assertEquals("h2-b", client.response(1).body());
            assertEquals("h2-a", client.response(3).body());
            RawH2.Response disagree = client.response(5);
            assertEquals(400, disagree.status());
            assertTrue(disagree.body().contains(":authority and Host"), disagree.body());
            assertEquals("h2-b", client.response(7).body());
            assertEquals(400, client.response(9).status());
            // The connection goes on after a stream's 400.
            client.get(11, A, "/");
            client.flush();
            assertEquals(200, client.response(11).status());
        }
    }

    @Test
    void anUpgradeOrAHeaderWithALineBreakNeverReachesABackendAndTheConnectionGoesOn() throws Exception {
        backendA.clearReceived();
        try (RawH2 client = connect()) {
            client.get(1, A, "/ws", "upgrade", "websocket", "connection", "upgrade", "sec-websocket-key",
                    "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version", "13");
            client.get(3, A, "/crlf", "x-evil", "a\r\nx-injected: 1");
            client.get(5, A, "/after");
            client.flush();
            RawH2.Response upgrade = client.response(1);
            assertTrue(upgrade.resetCode() != null || upgrade.status() == 400, upgrade.toString());
            RawH2.Response crlf = client.response(3);
            assertTrue(crlf.resetCode() != null || crlf.status() == 400, crlf.toString());
            assertEquals(200, client.response(5).status());
        }
        List<String> seen = backendA.received().stream().map(TestBackend.Received::uri).toList();
        assertTrue(seen.contains("/after") && !seen.contains("/ws") && !seen.contains("/crlf"), seen.toString());
    }

    @Test
    void aHundredParallelStreamsOnOneConnectionAreAllAnswered() throws Exception {
        try (RawH2 client = connect()) {
            for (int i = 0; i < 100; i++) {
                client.get(1 + 2 * i, i % 2 == 0 ? A : B, "/?delay=200");
            }
            client.flush();
            int answered = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean[] ended = new boolean[200];
            while (answered < 100 && System.nanoTime() < deadline) {
                RawH2.Frame frame = client.read();
                if (frame.type() == RawH2.HEADERS) {
                    assertEquals("200", client.decode(frame).status().toString());
                }
                assertTrue(frame.type() != RawH2.RST_STREAM && frame.type() != RawH2.GOAWAY, frame.toString());
                if (frame.endStream() && !ended[frame.stream()]) {
                    ended[frame.stream()] = true;
                    answered++;
                }
            }
            assertEquals(100, answered);
        }
        // The JDK's client multiplexes its requests on one connection (answered by the proxy: see the test above).
        HttpClient jdk = jdkClient();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            responses.add(jdk.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/" + i))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
            assertEquals(404, answer.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, answer.version());
        }
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("td_proxy_requests_by_version_total{version=\"2\"}"), metrics);
    }

    @Test
    void aStreamOverMaxConcurrentStreamsIsRefusedAndTheOthersGoOn() throws Exception {
        try (RawH2 client = connect()) {
            for (int i = 0; i < 100; i++) { // uploads begun, never ended: each holds its stream open
                client.headers(1 + 2 * i, false, ":method", "POST", ":scheme", "https", ":path", "/", ":authority", A);
            }
            client.headers(201, false, ":method", "POST", ":scheme", "https", ":path", "/", ":authority", A);
            client.flush();
            RawH2.Response refused = client.response(201);
            assertEquals(RawH2.REFUSED_STREAM, refused.resetCode());
            client.data(1, "done".getBytes(StandardCharsets.UTF_8), true);
            client.flush();
            RawH2.Response first = client.response(1);
            assertEquals(200, first.status());
            client.get(203, B, "/");
            client.flush();
            assertEquals("h2-b", client.response(203).body());
        }
    }

    @Test
    void headersOverMaxHeaderSizeAre431() throws Exception {
        try (RawH2 client = connect()) {
            client.get(1, A, "/", "x-big", "x".repeat(17 * 1024));
            client.flush();
            RawH2.Response response = client.response(1);
            assertTrue(response.status() == 431 || response.resetCode() != null, response.toString());
        }
    }

    @Test
    void aRapidResetFloodIsAGoAwayWithoutGrowingMemoryWhileAnotherConnectionIsServed() throws Exception {
        long before = usedHeapAfterGc();
        backendA.clearReceived();
        try (RawH2 attacker = connect(); RawH2 other = connect()) {
            // Streams opened and reset at once, a few more than the limit, all in one write: the server reads them
            // all, so its close after the GOAWAY does not reset the connection under it.
            for (int stream = 1; stream < 2 * (Http2Connection.MAX_RST_FRAMES + 20); stream += 2) {
                attacker.get(stream, A, "/reset");
                attacker.rst(stream, RawH2.CANCEL);
            }
            attacker.flush();
            for (int i = 1; i < 20; i += 2) {
                other.get(i, B, "/");
                other.flush();
                assertEquals("h2-b", other.response(i).body());
            }
            RawH2.Frame goAway = attacker.untilGoAway();
            assertNotNull(goAway, "no GOAWAY");
            assertEquals(RawH2.ENHANCE_YOUR_CALM, goAway.errorCode());
            assertTrue(attacker.closedByServer());
            other.get(999, B, "/");
            other.flush();
            assertEquals("h2-b", other.response(999).body());
        }
        assertTrue(backendA.received().size() <= Http2Connection.MAX_RST_FRAMES + 1, "" + backendA.received().size());
        long grown = usedHeapAfterGc() - before;
        assertTrue(grown < 32 * 1024 * 1024, "heap grew by " + grown);
    }

    @Test
    void settingsAndPingFloodsFromAClientThatDoesNotReadAreCutOff() throws Exception {
        for (int type : new int[] { RawH2.SETTINGS, RawH2.PING }) {
            long before = usedHeapAfterGc();
            try (RawH2 attacker = RawH2.tls(tls, port(), A, 4096); RawH2 other = connect()) {
                boolean cut = false;
                byte[] payload = type == RawH2.PING ? new byte[8] : new byte[0];
                for (int round = 0; round < 2000 && !cut; round++) {
                    try {
                        for (int i = 0; i < 1000; i++) {
                            attacker.frame(type, 0, 0, payload);
                        }
                        attacker.flush();
                    } catch (IOException closed) {
                        cut = true;
                    }
                }
                // Cut off: its GOAWAY may be lost behind the acknowledgements it never read, so a reset counts too.
                assertTrue(cut || attacker.closedByServer(), "still open");
                other.get(1, B, "/");
                other.flush();
                assertEquals("h2-b", other.response(1).body());
            }
            long grown = usedHeapAfterGc() - before;
            assertTrue(grown < 32 * 1024 * 1024, "heap grew by " + grown);
        }
    }

    @Test
    void emptyDataFramesInARowAreAGoAway() throws Exception {
        try (RawH2 attacker = connect(); RawH2 other = connect()) {
            attacker.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/", ":authority", A);
            for (int i = 0; i < 2 * Http2Connection.MAX_EMPTY_DATA_FRAMES; i++) {
                attacker.data(1, new byte[0], false);
            }
            attacker.flush();
            RawH2.Frame goAway = attacker.untilGoAway();
            assertNotNull(goAway);
            assertEquals(RawH2.ENHANCE_YOUR_CALM, goAway.errorCode());
            other.get(1, B, "/");
            other.flush();
            assertEquals("h2-b", other.response(1).body());
        }
    }

    @Test
    void theHttp2PrefaceOnThePlainPortIsRefusedWhileH2cIsOff() throws Exception {
        String raw = ProxyTestSupport.raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 400"), raw);
    }
}
