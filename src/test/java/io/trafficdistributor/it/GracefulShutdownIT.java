package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.support.TestBackend;

/** SIGTERM: the listener closes, requests in flight finish within td.shutdown.grace, then the process exits. */
class GracefulShutdownIT {

    static Postgres postgres;
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        postgres = new Postgres().start();
        backend = TestBackend.start("slow");
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        postgres.close();
    }

    static void createDistributor(ServiceProcess service, String name) throws Exception {
        service.create("""
                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"a","url":"%s"}]}"""
                .formatted(name, name, backend.url()));
    }

    /** Starts a GET that the backend answers after {@code delayMillis}, and waits until the backend has it. */
    static CompletableFuture<HttpResponse<String>> slowRequest(ServiceProcess service, String host, long delayMillis)
            throws InterruptedException {
        String path = "/?delay=" + delayMillis + "&id=" + System.nanoTime();
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> {
            try {
                return service.proxy(host, path);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backend.received().stream().noneMatch(r -> r.uri().equals(path))) {
            assertTrue(System.nanoTime() < deadline, "the slow request never reached the backend");
            Thread.sleep(10);
        }
        return response;
    }

    static boolean refusesConnections(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    @Test
    void aSlowRequestInFlightCompletesWhileNewConnectionsAreRefused() throws Exception {
        try (ServiceProcess service = ServiceProcess.start("shutdown", postgres.datasource())) {
            createDistributor(service, "draining");
            CompletableFuture<HttpResponse<String>> inFlight = slowRequest(service, "draining.test", 3000);
            long terminatedAt = System.nanoTime();
            service.terminate();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            // Probe the port only once the drain has begun: a probe accepted before the listener closed would be
            // one more open connection in the count the log line gives.
            while (!service.log().contains("Shutting down: proxy listener closed")) {
                assertTrue(System.nanoTime() < deadline, "no drain logged 2 s after SIGTERM\n" + service.logTail());
                Thread.sleep(20);
            }
            while (!refusesConnections(service.proxyPort)) {
                assertTrue(System.nanoTime() < deadline, "the proxy still accepts connections 2 s after SIGTERM");
                Thread.sleep(20);
            }
            assertTrue(service.isAlive(), "the process exited with a request in flight");
            // The admin port stays up during the drain, and readiness says why the instance takes no traffic.
            HttpResponse<String> readiness = service.admin("GET", "/q/health/ready", null);
            assertEquals(503, readiness.statusCode(), readiness.body());
            assertTrue(readiness.body().replaceAll("\\s", "").contains("\"state\":\"draining\""), readiness.body());

            HttpResponse<String> response = inFlight.get(15, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("slow", response.body());
            assertTrue(service.awaitExit(Duration.ofSeconds(15)), "the process did not exit after its last request");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminatedAt);
            assertTrue(waitedMillis >= 2000, "exited after " + waitedMillis + " ms: before the request could finish");
            assertTrue(service.log().contains("waiting up to PT30S for 1 open connection(s) to finish"), service.logTail());
            assertFalse(service.log().contains(" ERROR "), "an error on a clean shutdown:\n" + service.logTail());
        }
    }

    @Test
    void theGracePeriodBoundsTheWait() throws Exception {
        try (ServiceProcess service = ServiceProcess.start("short-grace",
                merge(postgres.datasource(), Map.of("td.shutdown.grace", "1s")))) {
            createDistributor(service, "impatient");
            CompletableFuture<HttpResponse<String>> inFlight = slowRequest(service, "impatient.test", 20_000);
            long terminatedAt = System.nanoTime();
            service.terminate();
            assertTrue(service.awaitExit(Duration.ofSeconds(15)), "the process outlived its grace period");
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminatedAt);
            assertTrue(exitMillis < 10_000, "exit took " + exitMillis + " ms with a 1 s grace period");
            ExecutionException cut = assertThrows(ExecutionException.class, () -> inFlight.get(5, TimeUnit.SECONDS));
            assertTrue(cut.getCause().getCause() instanceof IOException, cut.toString());
            assertTrue(service.log().contains("Shutdown grace period (PT1S) over: closing 1 connection(s) still open"),
                    service.logTail());
        }
    }

    static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }
}
