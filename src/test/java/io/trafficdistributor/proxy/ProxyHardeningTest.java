package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

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

    @Test
    void twoDifferentContentLengthsAre400() throws Exception {
        String answer = raw("POST / HTTP/1.1\r\nHost: hardening.test\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    }

    @Test
    void normalRequestsStillPass() {
        assertEquals(200, ProxyClient.get("hardening.test", "/").statusCode());
    }
}
