package io.trafficdistributor.health;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** The failover promise: clients notice no interruption when the primary dies or hangs. */
@QuarkusTest
class FailoverTest {

    static TestBackend primary;
    static TestBackend backup;

    @BeforeAll
    static void startBackends() {
        primary = TestBackend.start("primary");
        backup = TestBackend.start("backup");
    }

    @AfterAll
    static void stopBackends() {
        primary.close();
        backup.close();
    }

    @AfterEach
    void restorePrimary() {
        primary.hang(false);
        primary.start();
        primary.healthStatus(200);
    }

    static void createFailover(String name, String extra) {
        json("""
                {"name":"%s","hostnames":["%s.test"],"routing":"FAILOVER",
                 "backends":[{"name":"primary","url":"%s"},{"name":"backup","url":"%s"}],
                 "healthCheck":{"path":"/health","intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":2,"unhealthyThreshold":3}%s}"""
                .formatted(name, name, primary.url(), backup.url(), extra)).post("/api/v1/distributors").then().statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> HealthProbeTest.health(name, 0).equals("UP"));
    }

    /** Runs GETs from several threads until stopped; returns the answers' bodies, "ERR <status>" on failures. */
    static final class Load implements AutoCloseable {
        final ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService threads = Executors.newFixedThreadPool(4);
        final List<Future<?>> workers = new ArrayList<>();

        Load(String host) {
            for (int i = 0; i < 4; i++) {
                workers.add(threads.submit(() -> {
                    while (running.get()) {
                        HttpResponse<String> response = ProxyClient.send(ProxyClient.request(host, "/work")
                                .timeout(Duration.ofSeconds(5)).GET().build());
                        answers.add(response.statusCode() == 200 ? response.body() : "ERR " + response.statusCode());
                    }
                    return null;
                }));
            }
        }

        long count(String answer) {
            return answers.stream().filter(answer::equals).count();
        }

        List<String> failures() {
            return answers.stream().filter(a -> a.startsWith("ERR")).toList();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get(); // rethrows a client-side failure (e.g. a reset connection)
            }
            threads.shutdown();
        }
    }

    @Test
    void primaryStoppedUnderLoadLosesNoRequestAndTrafficReturnsWhenItIsBack() throws Exception {
        createFailover("hfo-stop", "");
        try (Load load = new Load("hfo-stop.test")) {
            await().until(() -> load.count("primary") >= 20);
            primary.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> HealthProbeTest.health("hfo-stop", 0).equals("DOWN"));
            api().get("/api/v1/distributors/hfo-stop/status").then()
                    .body("activeBackend", equalTo("backup"));
            long backupBefore = load.count("backup");
            await().until(() -> load.count("backup") >= backupBefore + 20);

            primary.start();
            long restartedAt = System.nanoTime();
            // healthyThreshold × interval + 2 s
            await().atMost(Duration.ofSeconds(4)).until(() -> HealthProbeTest.health("hfo-stop", 0).equals("UP"));
            long primaryBefore = load.count("primary");
            await().atMost(Duration.ofSeconds(2)).until(() -> load.count("primary") >= primaryBefore + 20);
            assertTrue(Duration.ofNanos(System.nanoTime() - restartedAt).toMillis() <= 4000);
            load.close();
            assertEquals(List.of(), load.failures());
        }
    }

    @Test
    void hungPrimaryWithAttemptTimeoutLosesNoGet() throws Exception {
        createFailover("hfo-hang", ",\"timeouts\":{\"attemptMillis\":300}");
        try (Load load = new Load("hfo-hang.test")) {
            await().until(() -> load.count("primary") >= 20);
            primary.hang(true);
            primary.healthStatus(500);
            long backupBefore = load.count("backup");
            await().atMost(Duration.ofSeconds(10)).until(() -> load.count("backup") >= backupBefore + 50);
            load.close();
            assertEquals(List.of(), load.failures());
        }
    }

    @Test
    void postToHungPrimaryIsNotReplayed() {
        createFailover("hfo-post", ",\"timeouts\":{\"attemptMillis\":300,\"responseMillis\":1500}");
        primary.clearReceived();
        backup.clearReceived();
        primary.hang(true);
        HttpResponse<String> response = ProxyClient.send(ProxyClient.request("hfo-post.test", "/order")
                .POST(HttpRequest.BodyPublishers.ofString("{\"order\":1}")).build());
        assertEquals(504, response.statusCode());
        assertEquals(0, backup.received().stream().filter(r -> r.method().equals("POST")).count());
    }

    @Test
    void allBackendsDownAnswers503ThenRecovers() {
        createFailover("hfo-all-down", "");
        primary.stop();
        backup.stop();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> HealthProbeTest.health("hfo-all-down", 0).equals("DOWN")
                    && HealthProbeTest.health("hfo-all-down", 1).equals("DOWN"));
            HttpResponse<String> response = ProxyClient.get("hfo-all-down.test", "/");
            assertEquals(503, response.statusCode());
            assertTrue(response.headers().firstValue("Retry-After").isPresent());
            assertTrue(response.body().contains("hfo-all-down"), response.body());
            backup.start();
            // Probes may still say DOWN, but the proxy tries DOWN backends before giving up.
            HttpResponse<String> recovered = ProxyClient.get("hfo-all-down.test", "/");
            assertEquals(200, recovered.statusCode());
            assertEquals("backup", recovered.body());
        } finally {
            backup.start();
        }
    }

    @Test
    void unchangedBackendsKeepTheirHealthAcrossAnEdit() {
        createFailover("hfo-edit", "");
        await().atMost(Duration.ofSeconds(5)).until(() -> HealthProbeTest.health("hfo-edit", 1).equals("UP"));
        // Only the primary's URL changes: the backup keeps its UP, the primary starts again from UNKNOWN.
        int nowhere = TestBackend.freePort();
        api().contentType("application/merge-patch+json").body("{\"url\":\"http://127.0.0.1:" + nowhere + "\"}")
                .patch("/api/v1/distributors/hfo-edit/backends/primary").then().statusCode(200);
        var status = HealthProbeTest.status("hfo-edit");
        assertEquals("UP", status.getString("backends[1].health"));
        assertTrue(List.of("UNKNOWN", "DOWN").contains(status.getString("backends[0].health")));
    }

    @Test
    void newBackendIsProbedWithinASecond() {
        createFailover("hfo-new", "");
        TestBackend third = TestBackend.start("third");
        try {
            api().contentType("application/merge-patch+json").body("""
                    {"backends":[{"name":"primary","url":"%s"},{"name":"backup","url":"%s"},{"name":"third","url":"%s"}],
                     "healthCheck":{"intervalSeconds":30,"timeoutMillis":500,"healthyThreshold":1}}"""
                    .formatted(primary.url(), backup.url(), third.url()))
                    .patch("/api/v1/distributors/hfo-new").then().statusCode(200);
            await().atMost(Duration.ofMillis(1500)).until(() -> HealthProbeTest.health("hfo-new", 2).equals("UP"));
        } finally {
            third.close();
        }
    }
}
