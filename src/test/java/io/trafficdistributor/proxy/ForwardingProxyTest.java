package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.raw;
import static io.trafficdistributor.proxy.ProxyTestSupport.usedHeapAfterGc;
import static io.trafficdistributor.proxy.ProxyTestSupport.usedHeapAfterOneGc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;
import io.trafficdistributor.support.TestTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/** What the backend receives and the client gets back when a request is forwarded. */
@QuarkusTest
class ForwardingProxyTest {

    static final long MIB = 1024 * 1024;
    static final long BIG = 100 * MIB;
    /** Growth of the heap that a transfer may cause; far below the body size, so a buffered body shows. */
    static final long HEAP_BOUND = 50 * MIB;

    static TestBackend plain;
    static TestBackend tls;

    @BeforeAll
    static void startBackends() {
        plain = TestBackend.start("plain");
        tls = TestBackend.startHttps("tls", TestTls.certificate());
    }

    @AfterAll
    static void stopBackends() {
        plain.close();
        tls.close();
    }

    private static Map<String, String> lastHeaders(TestBackend backend) {
        TestBackend.Received received = backend.lastReceived();
        assertNotNull(received, backend.name() + " received nothing");
        return TestBackend.asMap(received.headers());
    }

    @Test
    void forwardedHeadersAreSetFromTheConnectionAndAnUntrustedClientsAreReplaced() {
        create("""
                {"name":"fw-xff","hostnames":["fwxff.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        HttpResponse<String> response = ProxyClient.send(ProxyClient.request("fwxff.test", "/")
                .header("X-Forwarded-For", "203.0.113.7").GET().build());
        assertEquals(200, response.statusCode());
        Map<String, String> headers = lastHeaders(plain);
        // td.proxy.trusted-proxies is empty in tests: a client's own X-Forwarded-For is a forgery, not a hop.
        assertEquals("127.0.0.1", headers.get("X-Forwarded-For"));
        assertEquals("for=127.0.0.1;proto=http;host=fwxff.test", headers.get("Forwarded"));
        assertEquals("http", headers.get("X-Forwarded-Proto"));
        assertEquals("fwxff.test", headers.get("X-Forwarded-Host"));
        assertEquals(Integer.toString(ProxyClient.port()), headers.get("X-Forwarded-Port"));

        ProxyClient.get("fwxff.test", "/");
        assertEquals("127.0.0.1", lastHeaders(plain).get("X-Forwarded-For"));
    }

    @Test
    void hostIsPassedThroughByDefault() {
        create("""
                {"name":"fw-host-on","hostnames":["fwhoston.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        assertEquals(200, ProxyClient.get("fwhoston.test", "/").statusCode());
        assertEquals("fwhoston.test", lastHeaders(plain).get("Host"));
    }

    @Test
    void aResponseWithoutDateGetsOneOnTheWay() {
        create("""
                {"name":"fw-date","hostnames":["fwdate.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        HttpResponse<String> response = ProxyClient.get("fwdate.test", "/");
        assertEquals(200, response.statusCode());
        // The test backend (Vert.x) sends no Date; RFC 9110 §6.6.1 has a forwarding recipient add one.
        String date = response.headers().firstValue("date").orElseThrow();
        java.time.Instant stamped = java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Math.abs(java.time.Duration.between(stamped, java.time.Instant.now()).toSeconds()) < 60, date);
        assertTrue(date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), "IMF-fixdate: " + date);
    }

    @Test
    void aHeadResponseHasItsLengthButNoBodyAndTheConnectionGoesOn() throws IOException {
        create("""
                {"name":"fw-head","hostnames":["fwhead.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        // HEAD, then GET on the same connection: had the proxy waited for (or sent) a body after the HEAD's head,
        // the GET's answer would be missing or garbled.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ProxyClient.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("HEAD /h HTTP/1.1\r\nHost: fwhead.test\r\n\r\n"
                    + "GET /g HTTP/1.1\r\nHost: fwhead.test\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String both = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String[] responses = both.split("(?=HTTP/1\\.1 )");
            assertEquals(2, responses.length, both);
            assertTrue(responses[0].startsWith("HTTP/1.1 200"), both);
            assertTrue(responses[0].toLowerCase().contains("content-length: " + "plain".length() + "\r\n"), both);
            assertTrue(responses[0].endsWith("\r\n\r\n"), "no body after the HEAD's head: " + both);
            assertTrue(responses[1].startsWith("HTTP/1.1 200") && responses[1].endsWith("\r\n\r\nplain"), both);
        }
    }

    @Test
    void aChunkedResponseReachesAnHttp10ClientUntilTheConnectionCloses() throws IOException {
        create("""
                {"name":"fw-http10","hostnames":["fwhttp10.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        // HTTP/1.1 clients get the chunks as they come...
        HttpResponse<String> chunked = ProxyClient.get("fwhttp10.test", "/?chunked=3000");
        assertEquals(200, chunked.statusCode());
        assertEquals(3000, chunked.body().length());
        assertFalse(chunked.headers().firstValue("content-length").isPresent(), chunked.headers().toString());
        // ...an HTTP/1.0 client, which cannot read chunks, gets the body as it comes, ended by the connection's close
        // (holding it to count its length would let one client fill the heap with a large response).
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ProxyClient.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /?chunked=3000 HTTP/1.0\r\nHost: fwhttp10.test\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertFalse(response.toLowerCase().contains("content-length"), response);
            assertTrue(response.toLowerCase().contains("connection: close\r\n"), response);
            assertFalse(response.toLowerCase().contains("transfer-encoding"), response);
            assertEquals(3000, response.substring(response.indexOf("\r\n\r\n") + 4).length(), response);
        }
    }

    @Test
    void hostIsTheBackendsWhenPassHostHeaderIsOff() {
        create("""
                {"name":"fw-host-off","hostnames":["fwhostoff.test"],"passHostHeader":false,"backends":[%s]}"""
                .formatted(backend(plain, 1)));
        assertEquals(200, ProxyClient.get("fwhostoff.test", "/").statusCode());
        Map<String, String> headers = lastHeaders(plain);
        assertEquals("127.0.0.1:" + plain.port(), headers.get("Host"));
        assertEquals("fwhostoff.test", headers.get("X-Forwarded-Host"));
    }

    @Test
    void theBackendsBasePathIsPrefixed() {
        create("""
                {"name":"fw-base","hostnames":["fwbase.test"],"backends":[%s]}"""
                .formatted(backend("plain", plain.url() + "/base", 1)));
        assertEquals(200, ProxyClient.get("fwbase.test", "/x?q=1&r=a%20b").statusCode());
        assertEquals("/base/x?q=1&r=a%20b", plain.lastReceived().uri());
        assertEquals(200, ProxyClient.get("fwbase.test", "/").statusCode());
        assertEquals("/base/", plain.lastReceived().uri());
    }

    @Test
    void hopByHopHeadersAndThoseNamedInConnectionAreNotForwarded() {
        create("""
                {"name":"fw-hop","hostnames":["fwhop.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        String response = raw("""
                GET /hop HTTP/1.1\r
                Host: fwhop.test\r
                Connection: close, X-Hop-Secret\r
                Keep-Alive: timeout=5\r
                Proxy-Connection: keep-alive\r
                Proxy-Authorization: Basic dXNlcjpwYXNz\r
                TE: trailers\r
                Trailer: X-Checksum\r
                X-Hop-Secret: do-not-forward\r
                X-End-To-End: keep-me\r
                \r
                """);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        Map<String, String> headers = lastHeaders(plain);
        assertEquals("/hop", plain.lastReceived().uri());
        assertEquals("keep-me", headers.get("X-End-To-End"));
        for (String hop : new String[] { "X-Hop-Secret", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
                "TE", "Trailer" }) {
            assertFalse(headers.containsKey(hop), hop + " was forwarded: " + headers);
        }
        String connection = headers.getOrDefault("Connection", "");
        assertFalse(connection.toLowerCase(java.util.Locale.ROOT).contains("x-hop-secret"), connection);
    }

    @Test
    void aHundredMebibyteUploadStreamsWithAndWithoutContentLength() {
        create("""
                {"name":"fw-upload","hostnames":["fwupload.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        for (boolean chunked : new boolean[] { true, false }) {
            long before = usedHeapAfterGc();
            AtomicLong during = new AtomicLong(-1);
            // Measured once 80 MiB are sent: a proxy that held the body before forwarding would hold them now.
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(
                    () -> new GeneratedStream(BIG, 80 * MIB, () -> during.set(usedHeapAfterOneGc())));
            HttpRequest.BodyPublisher body = chunked ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, BIG);
            HttpRequest request = ProxyClient.request("fwupload.test", "/upload")
                    .method(chunked ? "POST" : "PUT", body).build();
            HttpResponse<String> response = ProxyClient.send(request);
            long after = usedHeapAfterGc();

            String mode = chunked ? "chunked" : "with Content-Length";
            assertEquals(200, response.statusCode(), mode + ": " + response.body());
            assertEquals(Long.toString(BIG), response.headers().firstValue("X-Received-Bytes").orElse(null), mode);
            assertEquals(BIG, plain.lastReceived().bodyBytes(), mode);
            assertTrue(during.get() > 0, mode + ": the heap was not measured during the upload");
            assertTrue(during.get() - before < HEAP_BOUND,
                    mode + ": heap grew by " + (during.get() - before) / MIB + " MiB during the upload");
            assertTrue(after - before < HEAP_BOUND, mode + ": heap grew by " + (after - before) / MIB + " MiB");
        }
    }

    @Test
    void anUploadThatTakesLongerThanTheResponseTimeoutIsNotCut() {
        create("""
                {"name":"fw-slow-upload","hostnames":["fwslowupload.test"],"backends":[%s],
                 "timeouts":{"responseMillis":1000}}""".formatted(backend(plain, 1)));
        long size = 2 * MIB;
        // About 3 s of steady sending: the backend is receiving all along, it just cannot answer before the end.
        HttpRequest request = ProxyClient.request("fwslowupload.test", "/slow-upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedStream(size, 0, () -> {
                }) {
                    @Override
                    public int read(byte[] b, int off, int len) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.read(b, off, Math.min(len, (int) (size / 30)));
                    }
                })).build();
        HttpResponse<String> response = ProxyClient.send(request);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(Long.toString(size), response.headers().firstValue("X-Received-Bytes").orElse(null));
    }

    @Test
    void aHundredMebibyteDownloadStreams() throws IOException, InterruptedException {
        create("""
                {"name":"fw-download","hostnames":["fwdownload.test"],"backends":[%s]}""".formatted(backend(plain, 1)));
        long before = usedHeapAfterGc();
        HttpResponse<InputStream> response = ProxyClient.send(
                ProxyClient.request("fwdownload.test", "/file?download=" + BIG).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals(Long.toString(BIG), response.headers().firstValue("content-length").orElse(null));
        long received = 0;
        long during = -1;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) >= 0;) {
                received += n;
                if (during < 0 && received >= 20 * MIB) {
                    // The client stops reading a while: a proxy that ignored back-pressure would now hold the rest.
                    Thread.sleep(1000);
                    during = usedHeapAfterGc();
                }
            }
        }
        long after = usedHeapAfterGc();
        assertEquals(BIG, received);
        assertTrue(during - before < HEAP_BOUND, "heap grew by " + (during - before) / MIB + " MiB during the download");
        assertTrue(after - before < HEAP_BOUND, "heap grew by " + (after - before) / MIB + " MiB");
    }

    @Test
    void webSocketFramesAreEchoedThroughTheProxy() throws Exception {
        create("""
                {"name":"fw-ws","hostnames":["fwws.test"],"backends":[%s]}"""
                .formatted(backend("plain", plain.url() + "/base", 1)));
        Vertx vertx = Vertx.vertx();
        try {
            // This Vert.x's WebSocket client resolves the host it is given (it ignores setServer), so it connects
            // to 127.0.0.1 and names the distributor in its own Host header.
            WebSocketConnectOptions options = new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(ProxyClient.port())
                    .addHeader("Host", "fwws.test")
                    .setURI("/chat");
            WebSocket socket = vertx.createWebSocketClient().connect(options)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            for (String message : new String[] { "hello", "second frame", "x".repeat(100_000) }) {
                // The backend echoes each frame's data back as it comes; collect until the whole message is back.
                Buffer echo = Buffer.buffer();
                CompletableFuture<String> echoed = new CompletableFuture<>();
                socket.handler(data -> {
                    echo.appendBuffer(data);
                    if (echo.length() >= message.length()) {
                        echoed.complete(echo.toString());
                    }
                });
                socket.writeTextMessage(message);
                assertEquals(message, echoed.get(10, TimeUnit.SECONDS));
            }
            socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            // The upgrade request went to the backend like any other: base path prefixed, X-Forwarded-* added.
            TestBackend.Received upgrade = plain.lastReceived();
            assertEquals("/base/chat", upgrade.uri());
            assertEquals("127.0.0.1", upgrade.headers().get("X-Forwarded-For"));
            assertEquals("fwws.test", upgrade.headers().get("X-Forwarded-Host"));
            assertEquals("http", upgrade.headers().get("X-Forwarded-Proto"));
            assertEquals("fwws.test", upgrade.headers().get("Host"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anHttpsBackendIsReachedWithItsCertificateVerified() {
        create("""
                {"name":"fw-tls","hostnames":["fwtls.test"],"backends":[%s]}"""
                .formatted(backend("tls", tls.localhostUrl(), 1)));
        HttpResponse<String> response = ProxyClient.get("fwtls.test", "/secure");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("tls", response.body());
        assertEquals("/secure", tls.lastReceived().uri());
    }

    @Test
    void anHttpsBackendWhoseCertificateDoesNotMatchIsNotUsed() {
        // The certificate is for localhost; reached as 127.0.0.1, host-name verification must refuse it.
        create("""
                {"name":"fw-tls-bad","hostnames":["fwtlsbad.test"],"backends":[%s]}"""
                .formatted(backend("tls", tls.url(), 1)));
        tls.clearReceived();
        HttpResponse<String> response = ProxyClient.get("fwtlsbad.test", "/secure");
        assertEquals(502, response.statusCode(), response.body());
        assertTrue(tls.received().isEmpty(), "a request was sent over an unverified connection");
    }

    /** {@code size} generated bytes; calls {@code atMark} once when {@code mark} bytes were read. */
    static class GeneratedStream extends InputStream {
        private final long size;
        private final long mark;
        private final Runnable atMark;
        private long position;
        private boolean marked;

        GeneratedStream(long size, long mark, Runnable atMark) {
            this.size = size;
            this.mark = mark;
            this.atMark = atMark;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            if (!marked && position >= mark) {
                marked = true;
                atMark.run();
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (position + i);
            }
            position += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
