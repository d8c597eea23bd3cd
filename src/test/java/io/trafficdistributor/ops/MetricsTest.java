package io.trafficdistributor.ops;

import static io.restassured.RestAssured.given;
import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** What an operator scrapes from /q/metrics: proxied requests, retries, health, connections. */
@QuarkusTest
class MetricsTest {

    static TestBackend backend;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("metered");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    static String metrics() {
        return api().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample with exactly this name and these labels (in Prometheus' sorted order). */
    static double sample(String metrics, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** The lines of /q/metrics that name that distributor. */
    static List<String> linesOf(String metrics, String distributor) {
        return metrics.lines().filter(line -> line.contains("distributor=\"" + distributor + "\"")).toList();
    }

    @Test
    void aDistributorHasProxyMetersFromItsFirstRequestUntilItIsDeleted() {
        json("""
                {"name":"metrics-lazy","hostnames":["metrics-lazy.test"],
                 "backends":[{"name":"one","url":"%s"},{"name":"two","url":"%s"}],"healthCheck":{"enabled":false}}"""
                .formatted(backend.url(), backend.url())).post("/api/v1/distributors").then().statusCode(201);
        // No traffic, no series (health has none either while unprobed), and no meter in the registry.
        assertEquals(List.of(), linesOf(metrics(), "metrics-lazy"));
        assertEquals(List.of(), registry.getMeters().stream()
                .filter(meter -> "metrics-lazy".equals(meter.getId().getTag("distributor"))).toList());

        assertEquals(200, ProxyClient.get("metrics-lazy.test", "/").statusCode());
        String metrics = metrics();
        // Only what the request used: one backend's 2xx and the duration, no series for the other backend or class.
        assertEquals(1.0, sample(metrics, "td_proxy_requests_total{backend=\"one\",distributor=\"metrics-lazy\",status=\"2xx\"}"), metrics);
        assertEquals(1.0, sample(metrics, "td_proxy_request_duration_seconds_count{distributor=\"metrics-lazy\"}"), metrics);
        assertEquals(1.0, sample(metrics, "td_proxy_request_duration_seconds_bucket{distributor=\"metrics-lazy\",le=\"+Inf\"}"), metrics);
        assertEquals(List.of(), linesOf(metrics, "metrics-lazy").stream()
                .filter(line -> line.startsWith("td_proxy_requests_total") && !line.contains("backend=\"one\"")
                        || line.startsWith("td_proxy_retries_total") || line.startsWith("td_proxy_pool_exhausted_total"))
                .toList());

        // Editing it keeps the meters (the new compiled form finds the same ones) ...
        assertEquals(200, ProxyClient.get("metrics-lazy.test", "/").statusCode());
        api().contentType("application/merge-patch+json").body("{\"passHostHeader\":false}")
                .patch("/api/v1/distributors/metrics-lazy").then().statusCode(200);
        assertEquals(200, ProxyClient.get("metrics-lazy.test", "/").statusCode());
        assertEquals(3.0, sample(metrics(), "td_proxy_request_duration_seconds_count{distributor=\"metrics-lazy\"}"));

        // ... deleting it removes them.
        given().header("Authorization", "Bearer " + io.trafficdistributor.support.Api.TOKEN)
                .delete("/api/v1/distributors/metrics-lazy").then().statusCode(204);
        assertEquals(List.of(), linesOf(metrics(), "metrics-lazy"));
    }

    @Test
    void failingOverAndBackIsCounted() {
        TestBackend primary = TestBackend.start("metered-primary");
        try {
            json("""
                    {"name":"metrics-switch","hostnames":["metrics-switch.test"],"routing":"FAILOVER",
                     "backends":[{"name":"primary","url":"%s"},{"name":"backup","url":"%s"}],
                     "healthCheck":{"enabled":false}}"""
                    .formatted(primary.url(), backend.url())).post("/api/v1/distributors").then().statusCode(201);
            assertEquals("metered-primary", ProxyClient.get("metrics-switch.test", "/").body());
            primary.stop();
            assertEquals("metered", ProxyClient.get("metrics-switch.test", "/").body());
            assertEquals("metered", ProxyClient.get("metrics-switch.test", "/").body());
            primary.start();
            assertEquals("metered-primary", ProxyClient.get("metrics-switch.test", "/").body());

            String metrics = metrics();
            assertEquals(1.0, sample(metrics, "td_proxy_failovers_total{distributor=\"metrics-switch\",to=\"backup\"}"), metrics);
            assertEquals(1.0, sample(metrics, "td_proxy_failovers_total{distributor=\"metrics-switch\",to=\"primary\"}"), metrics);
        } finally {
            primary.close();
        }
    }

    @Test
    void proxiedRequestsRetriesAndHealthAreCounted() {
        int dead = TestBackend.freePort();
        json("""
                {"name":"metrics-fo","hostnames":["metrics-fo.test"],"routing":"FAILOVER",
                 "backends":[{"name":"dead","url":"http://127.0.0.1:%d"},{"name":"live","url":"%s"}],
                 "healthCheck":{"intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":1,"unhealthyThreshold":2}}"""
                .formatted(dead, backend.url())).post("/api/v1/distributors").then().statusCode(201);
        // The first probe of the new backend alone cannot make it DOWN (threshold 2), so the first request
        // still tries the dead primary and is retried on the live one.
        for (int i = 0; i < 3; i++) {
            assertEquals(200, ProxyClient.get("metrics-fo.test", "/").statusCode());
        }
        ProxyClient.get("no-such-distributor.test", "/");

        String metrics = metrics();
        assertEquals(3.0, sample(metrics, "td_proxy_requests_total{backend=\"live\",distributor=\"metrics-fo\",status=\"2xx\"}"), metrics);
        assertTrue(sample(metrics, "td_proxy_retries_total{cause=\"connect\",distributor=\"metrics-fo\"}") >= 1.0);
        assertTrue(sample(metrics, "td_proxy_unroutable_total{reason=\"unknown_host\"}") >= 1.0);
        assertEquals(3.0, sample(metrics, "td_proxy_request_duration_seconds_count{distributor=\"metrics-fo\"}"));
        assertTrue(sample(metrics, "td_proxy_client_connections") >= 0.0);
        assertTrue(sample(metrics, "td_proxy_backend_connections") >= 1.0, "pooled keep-alive connection to 'live'");

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            String now = metrics();
            return sample(now, "td_backend_health{backend=\"dead\",distributor=\"metrics-fo\"}") == 0.0
                    && sample(now, "td_backend_health{backend=\"live\",distributor=\"metrics-fo\"}") == 1.0;
        });
        assertTrue(sample(metrics(), "td_health_transitions_total{backend=\"dead\",distributor=\"metrics-fo\",to=\"DOWN\"}") >= 1.0);

        assertTrue(Double.isNaN(sample(metrics, "td_proxy_failovers_total{distributor=\"metrics-fo\",to=\"live\"}"))
                || sample(metrics, "td_proxy_failovers_total{distributor=\"metrics-fo\",to=\"live\"}") == 0.0,
                "the dead primary never served, so traffic never moved: " + metrics);

        // A deleted distributor's backends leave the health gauge.
        given().header("Authorization", "Bearer " + io.trafficdistributor.support.Api.TOKEN)
                .delete("/api/v1/distributors/metrics-fo").then().statusCode(204);
        await().atMost(Duration.ofSeconds(2)).until(() ->
                Double.isNaN(sample(metrics(), "td_backend_health{backend=\"live\",distributor=\"metrics-fo\"}")));
    }
}
