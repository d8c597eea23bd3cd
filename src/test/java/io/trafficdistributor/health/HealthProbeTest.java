package io.trafficdistributor.health;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trafficdistributor.support.TestBackend;

@QuarkusTest
class HealthProbeTest {

    static TestBackend one;
    static TestBackend two;

    @BeforeAll
    static void startBackends() {
        one = TestBackend.start("one");
        two = TestBackend.start("two");
    }

    @AfterAll
    static void stopBackends() {
        one.close();
        two.close();
    }

    static String health(String distributor, int backend) {
        return status(distributor).getString("backends[" + backend + "].health");
    }

    static JsonPath status(String distributor) {
        return api().get("/api/v1/distributors/" + distributor + "/status").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void thresholdsBothWays() {
        one.healthStatus(200);
        json("""
                {"name":"hc-thresholds","hostnames":["hc-thresholds.test"],
                 "backends":[{"name":"one","url":"%s"}],
                 "healthCheck":{"path":"/health","intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":2,"unhealthyThreshold":3}}"""
                .formatted(one.url())).post("/api/v1/distributors").then().statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> health("hc-thresholds", 0).equals("UP"));
        assertEquals(0, status("hc-thresholds").getInt("backends[0].consecutiveFailures"));

        one.healthStatus(500);
        await().atMost(Duration.ofSeconds(8)).until(() -> health("hc-thresholds", 0).equals("DOWN"));
        JsonPath down = status("hc-thresholds");
        assertEquals(3, down.getInt("backends[0].consecutiveFailures"), down.prettify());
        assertEquals("status 500, expected 200-399", down.getString("backends[0].lastError"));

        one.healthStatus(200);
        await().atMost(Duration.ofSeconds(8)).until(() -> health("hc-thresholds", 0).equals("UP"));
        api().get("/api/v1/distributors/hc-thresholds/status").then()
                .body("backends[0].consecutiveSuccesses", equalTo(2))
                .body("backends[0].lastCheckAt", notNullValue())
                .body("backends[0].lastLatencyMillis", notNullValue());
    }

    @Test
    void tcpProbeAgainstOpenAndClosedPorts() {
        int closed = TestBackend.freePort();
        json("""
                {"name":"hc-tcp","hostnames":["hc-tcp.test"],"routing":"FAILOVER",
                 "backends":[{"name":"closed","url":"http://127.0.0.1:%d"},{"name":"open","url":"%s"}],
                 "healthCheck":{"type":"TCP","intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":1,"unhealthyThreshold":1}}"""
                .formatted(closed, two.url())).post("/api/v1/distributors").then().statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> health("hc-tcp", 0).equals("DOWN") && health("hc-tcp", 1).equals("UP"));
        api().get("/api/v1/distributors/hc-tcp/status").then()
                .body("activeBackend", equalTo("open"))
                .body("backends[0].share", equalTo(0.0f))
                .body("backends[1].share", equalTo(100.0f));
    }
}
