package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** The proxy listener refuses what no client should send, before any of it reaches a backend. */
@QuarkusTest
class ProxyHardeningTest {

    static TestBackend backend;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("hardened");
    }

    @BeforeEach
    void distributor() {
        // REST Assured knows the admin port only once the test instance runs, hence not in @BeforeAll.
        if (!created) {
            json("""
                    {"name":"hardening","hostnames":["hardening.test"],"backends":[{"name":"a","url":"%s"}]}"""
                    .formatted(backend.url())).post("/api/v1/distributors").then().statusCode(201);
            created = true;
        }
    }

    static boolean created;

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Sends raw bytes and returns what the proxy answers until it closes or 5 s pass. */
    static String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", ProxyClient.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[512];
            int n = in.read(head);
            return n < 0 ? "" : new String(head, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String big = "x".repeat(20 * 1024);
        String answer = raw("GET / HTTP/1.1\r\nHost: hardening.test\r\nX-Big: " + big + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
        assertEquals(0, backend.received().stream().filter(r -> r.headers().contains("X-Big")).count());
    }

    @Test
    void overlongRequestLineIs414() throws Exception {
        String answer = raw("GET /" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: hardening.test\r\n\r\n");
        // The version is never parsed from a line that is cut off, so Vert.x answers as HTTP/1.0.
        assertTrue(answer.matches("(?s)HTTP/1\\.[01] 414 .*"), answer);
    }

    /** What the proxy answered to raw bytes, and whether it then closed the connection (within 5 s). */
    record Exchange(String answer, boolean closed, long millis) {
    }

    /** Sends {@code parts} with {@code pauseMillis} between them, then reads until the proxy closes or 5 s pass. */
    static Exchange exchange(long pauseMillis, String... parts) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", ProxyClient.port())) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    Thread.sleep(pauseMillis);
                }
                out.write(parts[i].getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            boolean closed;
            try {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    answer.write(buffer, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException | SocketException e) {
                closed = e instanceof SocketException; // a reset is a close too
            }
            return new Exchange(answer.toString(StandardCharsets.ISO_8859_1), closed,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void twoDifferentContentLengthsAre400AndClose() throws Exception {
        Exchange exchange = exchange(0, "POST / HTTP/1.1\r\nHost: hardening.test\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 400"), exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after a malformed request");
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndNothingReachesTheBackend() throws Exception {
        backend.clearReceived();
        // The classic smuggling shape: a proxy that trusts one header and a backend that trusts the other
        // disagree on where the first request ends, and the second ("GET /smuggled") rides along.
        String smuggling = "POST / HTTP/1.1\r\nHost: hardening.test\r\nContent-Length: 47\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: hardening.test\r\n\r\n";
        Exchange exchange = exchange(0, smuggling);
        assertTrue(exchange.answer().startsWith("HTTP/1.1 400"), exchange.answer());
        assertEquals(1, exchange.answer().split("HTTP/1\\.1 ").length - 1, "one answer only: " + exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after a request with both framings");
        assertEquals(List.of(), backend.received(), "the backend received part of a request with both framings");
    }

    @Test
    void transferEncodingOtherThanChunkedIs400AndClose() throws Exception {
        backend.clearReceived();
        Exchange exchange = exchange(0, "POST / HTTP/1.1\r\nHost: hardening.test\r\nTransfer-Encoding: gzip\r\n\r\nabc");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 400"), exchange.answer());
        assertTrue(exchange.answer().contains("Transfer-Encoding"), exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after an unknown transfer coding");
        assertEquals(List.of(), backend.received());
    }

    @Test
    void aRequestBehindAnUnknownTransferCodingIsNotForwarded() throws Exception {
        backend.clearReceived();
        // Netty takes a body of unknown coding for no body, so the bytes after the head parse as a second,
        // pipelined request: it must not reach the backend either.
        Exchange exchange = exchange(0, "POST / HTTP/1.1\r\nHost: hardening.test\r\nTransfer-Encoding: gzip\r\n\r\n"
                + "GET /smuggled-behind-gzip HTTP/1.1\r\nHost: hardening.test\r\n\r\n");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 400"), exchange.answer());
        assertEquals(1, exchange.answer().split("HTTP/1\\.1 ").length - 1, "one answer only: " + exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after an unknown transfer coding");
        assertEquals(List.of(), backend.received(), "the request behind the unknown coding reached the backend");
    }

    @Test
    void aRequestHeadSentTooSlowlyIs408AndClosed() throws Exception {
        // td.proxy.header-timeout is 2 s in the test profile: half a head, then silence.
        Exchange exchange = exchange(0, "GET / HTTP/1.1\r\nHost: hardening.test\r\nX-Slow: 1\r\n");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 408"), exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after the header timeout");
        assertTrue(exchange.millis() >= 1500 && exchange.millis() < 4500, "cut after " + exchange.millis() + " ms");
    }

    @Test
    void aConnectionThatSendsNothingIsCutAtTheHeaderTimeout() throws Exception {
        Exchange exchange = exchange(0);
        assertTrue(exchange.closed(), "an idle new connection outlived the header timeout");
        assertTrue(exchange.millis() >= 1500 && exchange.millis() < 4500, "cut after " + exchange.millis() + " ms");
    }

    @Test
    void aHeadSentInPiecesWithinTheTimeoutIsServed() throws Exception {
        Exchange exchange = exchange(600, "GET / HTTP/1.1\r\n", "Host: hardening.test\r\n", "Connection: close\r\n\r\n");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 200"), exchange.answer());
    }

    @Test
    void theHeaderTimeoutRestartsForEachRequestOnAKeptAliveConnection() throws Exception {
        // Two requests 2.5 s apart on one connection: the wait between them is idle time, not header time.
        Exchange exchange = exchange(2500, "GET /one HTTP/1.1\r\nHost: hardening.test\r\n\r\n",
                "GET /two HTTP/1.1\r\nHost: hardening.test\r\nConnection: close\r\n\r\n");
        assertEquals(2, exchange.answer().split("HTTP/1\\.1 200").length - 1, exchange.answer());
    }

    @Test
    void aSlowHeadAfterAKeptAliveRequestGetsItsOwnFullTimeout() throws Exception {
        // A quick request, then 1.2 s later half a head and silence: cut 2 s after that head's first byte (about
        // 3.2 s in), not 2 s after the connection opened, whatever timer the first request left running.
        Exchange exchange = exchange(1200, "GET /one HTTP/1.1\r\nHost: hardening.test\r\n\r\n",
                "GET /two HTTP/1.1\r\nHost: hardening.test\r\n");
        assertTrue(exchange.answer().startsWith("HTTP/1.1 200"), exchange.answer());
        assertTrue(exchange.answer().contains("HTTP/1.1 408"), exchange.answer());
        assertTrue(exchange.closed(), "the connection stays open after the header timeout");
        assertTrue(exchange.millis() >= 2900 && exchange.millis() < 5000, "cut after " + exchange.millis() + " ms");
    }

    @Test
    void normalRequestsStillPass() {
        assertEquals(200, ProxyClient.get("hardening.test", "/").statusCode());
    }
}
