package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.support.TestBackend;

/**
 * PostgreSQL goes away under traffic: the proxy keeps routing from its table, the API answers 503
 * problem+json, readiness says why; when PostgreSQL is back the service recovers without a restart.
 */
class DatabaseOutageIT {

    static Postgres postgres;
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        postgres = new Postgres().start();
        backend = TestBackend.start("steady");
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        postgres.close();
    }

    static void create(ServiceProcess service, String name) throws Exception {
        service.create("""
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"a","url":"%s"}],
                 "healthCheck":{"intervalSeconds":1,"timeoutMillis":500}}"""
                .formatted(name, name, backend.url()));
    }

    /** Polls until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    static void await(Duration timeout, String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(50);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void theProxyRoutesThroughAnOutageAndTheApiRecoversWithoutARestart() throws Exception {
        try (ServiceProcess service = ServiceProcess.start("outage", postgres.datasource())) {
            create(service, "outage");
            create(service, "bystander");

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger served = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> response = service.proxy("outage.test", "/");
                            if (response.statusCode() == 200) {
                                served.incrementAndGet();
                            } else {
                                failures.add(response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            await(Duration.ofSeconds(10), "no traffic got through before the outage", () -> served.get() > 50);

            postgres.stop();
            int servedBefore = served.get();

            AtomicReference<HttpResponse<String>> list = new AtomicReference<>();
            await(Duration.ofSeconds(15), "the API did not answer 503 during the outage", () -> {
                list.set(service.admin("GET", "/api/v1/distributors", null));
                return list.get().statusCode() == 503;
            });
            assertEquals("application/problem+json", list.get().headers().firstValue("Content-Type").orElse(""));
            assertTrue(list.get().body().contains("\"type\":\"urn:traffic-distributor:problem:database-unavailable\""),
                    list.get().body());
            assertTrue(list.get().headers().firstValue("Retry-After").isPresent());
            HttpResponse<String> write = service.admin("POST", "/api/v1/distributors", """
                    {"name":"during","hostnames":["during.test"],"backends":[{"name":"a","url":"%s"}]}"""
                    .formatted(backend.url()));
            assertEquals(503, write.statusCode(), write.body());
            assertTrue(write.body().contains("database-unavailable"), write.body());

            HttpResponse<String> ready = service.admin("GET", "/q/health/ready", null);
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("Database connections health check"), ready.body());
            assertTrue(ready.body().contains("\"status\": \"DOWN\""), ready.body());
            HttpResponse<String> live = service.admin("GET", "/q/health/live", null);
            assertEquals(200, live.statusCode(), "liveness must not fail for a database outage: " + live.body());

            Thread.sleep(2000); // traffic and health probes go on without the database
            assertTrue(served.get() > servedBefore + 20, "traffic stopped during the outage");

            postgres.start();
            await(Duration.ofSeconds(30), "the API did not recover after the database came back",
                    () -> service.admin("GET", "/api/v1/distributors", null).statusCode() == 200);
            create(service, "after");
            HttpResponse<String> after = service.proxy("after.test", "/");
            assertEquals(200, after.statusCode(), after.body());
            await(Duration.ofSeconds(10), "readiness did not recover",
                    () -> service.admin("GET", "/q/health/ready", null).statusCode() == 200);

            running.set(false);
            for (Thread client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertEquals(List.of(), failures, "proxied requests failed during the outage");

            // The change listener re-listened: a change written by another replica (here by hand, with its
            // NOTIFY) reaches this one without waiting for the 30 s reconcile.
            await(Duration.ofSeconds(15), "the change listener did not reconnect",
                    () -> service.log().contains("Change listener reconnected"));
            try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
                statement.execute("delete from distributor where name = 'bystander'");
                statement.execute("notify td_distributor_changed, 'bystander'");
            }
            await(Duration.ofSeconds(5), "a change announced after the outage did not reach the proxy",
                    () -> service.proxy("bystander.test", "/").statusCode() == 404);
        }
    }

    @Test
    void aServiceStartedBeforeItsDatabaseWaitsForIt() throws Exception {
        postgres.stop();
        try (ServiceProcess service = ServiceProcess.launch("early", postgres.datasource())) {
            await(Duration.ofSeconds(20), "no retry line in the log", () -> service.log().contains("is not reachable"));
            Thread.sleep(1500);
            assertTrue(service.isAlive(), "the service gave up without its database:\n" + service.logTail());
            postgres.start();
            service.awaitReady(Duration.ofSeconds(60));
            String log = service.log();
            assertTrue(log.contains("is reachable; starting"), service.logTail());
            assertFalse(log.contains("\tat "), "a stack trace in the log:\n" + service.logTail());
        } finally {
            postgres.start();
        }
    }
}
