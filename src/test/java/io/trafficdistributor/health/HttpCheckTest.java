package io.trafficdistributor.health;

import static io.trafficdistributor.health.BackendChecks.local;
import static io.trafficdistributor.health.BackendChecks.outcome;
import static io.trafficdistributor.health.BackendChecks.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.HealthCheckType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;

/** The HTTP check against a real HTTP server on a free port, without Quarkus. */
class HttpCheckTest {

    static Vertx vertx;
    static HttpServer server;
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
        check = new HttpCheck(vertx, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)));
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
}
