package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.support.TestBackend;

/**
 * The listener limits whose defaults are too long or too large for the shared test application: the idle
 * timeout of client connections and the cap on open client connections, on a service started with small ones.
 */
class ListenerLimitsIT {

    static Postgres postgres;
    static TestBackend backend;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        postgres = new Postgres().start();
        backend = TestBackend.start("limited");
        Map<String, String> settings = new java.util.HashMap<>(postgres.datasource());
        settings.put("td.proxy.idle-timeout", "1s");
        settings.put("td.proxy.max-connections", "3");
        service = ServiceProcess.start("limits", settings);
        service.create("""
                {"name":"limits","hostnames":["limits.test"],"backends":[{"name":"a","url":"%s"}]}""".formatted(backend.url()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] { service, backend, postgres }) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** Opens a connection and sends one keep-alive request on it; returns the socket, response read. */
    static Socket connectedWithOneRequest() throws IOException {
        Socket socket = new Socket("127.0.0.1", service.proxyPort);
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: limits.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        byte[] buffer = new byte[1024];
        int n = socket.getInputStream().read(buffer);
        String answer = n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        return socket;
    }

    /** Milliseconds until the proxy closes this connection (reading nothing), or -1 if it stays open 5 s. */
    static long millisUntilClosed(Socket socket) throws IOException {
        long start = System.nanoTime();
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // nothing is expected; drain whatever comes
            }
        } catch (SocketTimeoutException stillOpen) {
            return -1;
        } catch (SocketException reset) {
            // closed too
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = connectedWithOneRequest()) {
            long closedAfter = millisUntilClosed(socket);
            assertTrue(closedAfter >= 500 && closedAfter < 4000, "closed after " + closedAfter + " ms, idle timeout 1 s");
        }
    }

    @Test
    void aClientThatStopsReadingItsResponseIsClosedAtTheIdleTimeout() throws Exception {
        long size = 500L * 1024 * 1024;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024); // so the proxy's writes stall soon
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", service.proxyPort));
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /big?download=" + size + " HTTP/1.1\r\nHost: limits.test\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // The client reads nothing for 4 s: the proxy, paused by back-pressure, sees no progress for longer than
            // the idle timeout (1 s) and closes, instead of holding the connection and its backend's forever.
            Thread.sleep(4000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    received += n;
                }
            } catch (SocketException reset) {
                // closed too
            }
            assertTrue(received < size / 10, "the client got " + received + " bytes of a response it stopped reading");
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndCounted() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(connectedWithOneRequest());
            }
            try (Socket fourth = new Socket("127.0.0.1", service.proxyPort)) {
                fourth.setSoTimeout(5000);
                long closedAfter = millisUntilClosed(fourth);
                assertTrue(closedAfter >= 0 && closedAfter < 500, "the connection over the cap was not closed at once");
            }
            String metrics = service.admin("GET", "/q/metrics", null).body();
            assertTrue(metrics.contains("td_proxy_refused_connections_total 1.0"), "refusal not counted");
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
        // Under the cap again, connections are served.
        Thread.sleep(200);
        HttpResponse<String> served = service.proxy("limits.test", "/");
        assertEquals(200, served.statusCode());
    }
}
