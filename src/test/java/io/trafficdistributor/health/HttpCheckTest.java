package io.trafficdistributor.health;

import static io.trafficdistributor.health.BackendChecks.local;
import static io.trafficdistributor.health.BackendChecks.outcome;
import static io.trafficdistributor.health.BackendChecks.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.support.TestTls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;

/** The HTTP check against a real HTTP server on a free port, without Quarkus. */
class HttpCheckTest {

    static Vertx vertx;
    static HttpServer server;
    static HttpServer httpsServer;
    static HttpCheck check;
    static final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            requests.add(request.method() + " " + request.uri() + " " + request.getHeader("Host"));
            switch (request.path()) {
                case "/app/health", "/health" -> request.response().end("ok");
                case "/broken" -> request.response().setStatusCode(500).end();
                case "/moved" -> request.response().setStatusCode(302).end();
                case "/hang" -> {
                    // never answers
                }
                default -> request.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        httpsServer = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(TestTls.certificate().keyCertOptions()))
                .requestHandler(request -> request.response().setStatusCode(request.path().equals("/health") ? 200 : 503).end())
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        check = new HttpCheck(ProbeTransport.of(vertx, Optional.of(TestTls.certificate().certificatePath())));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static String run(String basePath, String path, String expected, int timeoutMillis) throws Exception {
        return outcome(check.check(local(server.actualPort(), basePath), settings(HealthCheckType.HTTP, path, expected,
                timeoutMillis)), Duration.ofSeconds(5));
    }

    @Test
    void anExpectedStatusPassesAndTheBasePathIsPrefixed() throws Exception {
        assertNull(run("/app", "/health", "200-399", 4000));
        assertEquals(List.of("GET /app/health 127.0.0.1:" + server.actualPort()),
                requests.stream().filter(r -> r.contains("/app/")).toList());
    }

    @Test
    void anotherStatusFailsNamingBothStatuses() throws Exception {
        assertEquals("status 500, expected 200-399", run("", "/broken", "200-399", 4000));
        assertEquals("status 302, expected 200-299", run("", "/moved", "200-299", 4000));
        assertNull(run("", "/moved", "200-299,302", 4000));
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeFails() throws Exception {
        long started = System.nanoTime();
        assertEquals("timed out after 200 ms", run("", "/hang", "200-399", 200));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 2000, "took " + tookMillis + " ms");
    }

    @Test
    void aClosedPortFails() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertEquals("connection refused or unreachable", outcome(check.check(local(closed, ""),
                settings(HealthCheckType.HTTP, "/health", "200-399", 4000)), Duration.ofSeconds(5)));
    }

    @Test
    void aServerThatDiedSinceTheLastCheckFails() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
            assertNull(runAgainst(raw.port(), "200-399"));
            raw.close();
            // The port stays bound, listening on nothing, so that no other server of this JVM or machine can take
            // it meanwhile (once, in CI, one answered there): what the probe meets is the dead server's refusal.
            try (Socket holder = holding(raw.port())) {
                assertEquals("connection refused or unreachable", runAgainst(raw.port(), "200-399"));
            }
        }
    }

    @Test
    void theRequestIsOneGetWithHostAgentAndClose() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 204 No Content\r\n\r\n")) {
            assertNull(outcome(check.check(local(raw.port(), "/base"), settings(HealthCheckType.HTTP, "/ping?x=1", "204", 4000)),
                    Duration.ofSeconds(5)));
            assertEquals("GET /base/ping?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + raw.port()
                    + "\r\nUser-Agent: traffic-distributor-health-probe\r\nConnection: close\r\n\r\n", raw.lastRequest());
        }
    }

    @Test
    void aServerThatClosesWithoutAnsweringFails() throws Exception {
        try (RawServer raw = new RawServer("")) {
            assertEquals("connection closed before a response", runAgainst(raw.port(), "200-399"));
        }
    }

    @Test
    void aResponseCutShortFailsEvenWithAnExpectedStatus() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")) {
            assertEquals("connection closed before the whole response", runAgainst(raw.port(), "200-399"));
        }
    }

    @Test
    void aResponseThatIsNotHttpFails() throws Exception {
        try (RawServer raw = new RawServer("SSH-2.0-OpenSSH_9.2\r\n\r\n")) {
            String failure = runAgainst(raw.port(), "200-399");
            assertTrue(failure.startsWith("invalid response: "), failure);
        }
    }

    @Test
    void anInterimResponseIsSkippedForTheFinalOne() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")) {
            assertEquals("status 503, expected 100-399", runAgainst(raw.port(), "100-399"));
        }
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.0 200 OK\r\n\r\nwhatever comes until the close")) {
            assertNull(runAgainst(raw.port(), "200"));
        }
    }

    @Test
    void httpsSendsTheNameAndChecksTheCertificate() throws Exception {
        int port = httpsServer.actualPort();
        ProbeTarget named = new ProbeTarget("https://localhost:" + port, SocketAddress.inetSocketAddress(port, "localhost"),
                "localhost", port, true, "");
        assertNull(outcome(check.check(named, settings(HealthCheckType.HTTP, "/health", "200", 4000)), Duration.ofSeconds(5)));
        assertEquals("status 503, expected 200",
                outcome(check.check(named, settings(HealthCheckType.HTTP, "/other", "200", 4000)), Duration.ofSeconds(5)));
        // The certificate names localhost, not the address: refused, as the proxy would refuse it.
        ProbeTarget byAddress = new ProbeTarget("https://127.0.0.1:" + port, SocketAddress.inetSocketAddress(port, "127.0.0.1"),
                "127.0.0.1", port, true, "");
        // The JDK's own words: JDK 25 puts the TLS alert first, "(certificate_unknown) No subject alternative ...".
        String refused = outcome(check.check(byAddress, settings(HealthCheckType.HTTP, "/health", "200", 4000)),
                Duration.ofSeconds(5));
        assertTrue(refused != null && refused.matches("(\\(certificate_unknown\\) )?No subject alternative names present"),
                refused);
    }

    /** A socket bound to that loopback port and not listening, once the closed server's connection lets go of it. */
    private static Socket holding(int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            Socket holder = new Socket();
            holder.setReuseAddress(true); // past the TIME_WAIT of the connection the server closed
            try {
                holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return holder;
            } catch (java.net.BindException stillClosing) {
                holder.close();
                if (attempt == 100) {
                    throw stillClosing;
                }
                Thread.sleep(50);
            }
        }
    }

    static String runAgainst(int port, String expected) throws Exception {
        return outcome(check.check(local(port, ""), settings(HealthCheckType.HTTP, "/health", expected, 4000)),
                Duration.ofSeconds(5));
    }

    /**
     * A server on a free port that answers every connection with the same bytes, as given, and closes it: for
     * answers no real server library would give.
     */
    static final class RawServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private volatile String lastRequest;

        RawServer(String answer) throws Exception {
            Thread thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        lastRequest = readHead(connection.getInputStream());
                        OutputStream out = connection.getOutputStream();
                        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } catch (Exception e) {
                        // closed: the test is over
                    }
                }
            }, "raw-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        String lastRequest() {
            return lastRequest;
        }

        private static String readHead(InputStream in) throws Exception {
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                head.append((char) b);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    break;
                }
            }
            return head.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
