package io.trafficdistributor.proxy;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trafficdistributor.support.Docs;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * {@code GET …/traffic}: requests per second per backend from the proxy's own counters, for real traffic through
 * the proxy listener, and each backend's last health transitions.
 */
@QuarkusTest
class TrafficViewTest {

    static TestBackend blue;
    static TestBackend green;

    @Inject
    RequestHistory history;

    @BeforeAll
    static void startBackends() {
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
    }

    @AfterAll
    static void stopBackends() {
        blue.close();
        green.close();
    }

    /** Requests in all buckets of one backend: the rates times the bucket length. */
    static long requests(JsonPath traffic, int backend) {
        List<Float> rates = traffic.getList("backends[" + backend + "].requestsPerSecond", Float.class);
        assertEquals(30, rates.size());
        return Math.round(rates.stream().mapToDouble(Float::doubleValue).sum() * traffic.getInt("bucketSeconds"));
    }

    @Test
    void countsEachBackendsAnsweredRequestsPerBucket() {
        String name = Docs.uniqueName("traffic");
        String host = name + ".test";
        json("""
                {"name":"%s","hostnames":["%s"],"backends":[
                  {"name":"blue","url":"%s","weight":3},{"name":"green","url":"%s","weight":1}]}"""
                .formatted(name, host, blue.url(), green.url())).post("/api/v1/distributors").then().statusCode(201);

        JsonPath before = api().get("/api/v1/distributors/{name}/traffic", name).then().statusCode(200)
                .body("name", equalTo(name)).body("bucketSeconds", equalTo(10))
                .body("backends.name", equalTo(List.of("blue", "green")))
                .extract().jsonPath();
        assertEquals(0, requests(before, 0));
        assertEquals(0, requests(before, 1));

        for (int i = 0; i < 40; i++) {
            assertEquals(200, ProxyClient.get(host, "/").statusCode());
        }
        history.sample(); // closes the current bucket now instead of within 10 s

        JsonPath after = api().get("/api/v1/distributors/{name}/traffic", name).then().statusCode(200).extract().jsonPath();
        assertEquals(30, requests(after, 0), "3 of every 4 to blue");
        assertEquals(10, requests(after, 1), "1 of every 4 to green");
        List<Float> blueRates = after.getList("backends[0].requestsPerSecond", Float.class);
        assertTrue(blueRates.get(29) > 0, "the newest bucket is last: " + blueRates);
    }

    @Test
    void showsTheLastHealthTransitionsNewestFirst() {
        TestBackend flaky = TestBackend.start("flaky");
        try {
            String name = Docs.uniqueName("transitions");
            json("""
                    {"name":"%s","hostnames":["%s.test"],"routing":"FAILOVER","backends":[
                      {"name":"flaky","url":"%s"},{"name":"steady","url":"%s"}],
                     "healthCheck":{"intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":1,"unhealthyThreshold":1}}"""
                    .formatted(name, name, flaky.url(), blue.url())).post("/api/v1/distributors").then().statusCode(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> "UNKNOWN".equals(transition(name, 0, "from")));
            assertEquals("UP", transition(name, 0, "to"));

            flaky.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(transition(name, 0, "to")));
            JsonPath traffic = api().get("/api/v1/distributors/{name}/traffic", name).then().statusCode(200)
                    .extract().jsonPath();
            assertEquals("UP", traffic.getString("backends[0].transitions[0].from"));
            assertTrue(traffic.getString("backends[0].transitions[0].reason").contains("connection refused"),
                    traffic.getString("backends[0].transitions[0].reason"));
            assertEquals("UP", traffic.getString("backends[0].transitions[1].to"), "the older one second");
            assertTrue(traffic.getString("backends[0].transitions[0].at").endsWith("Z"));
        } finally {
            flaky.close();
        }
    }

    /** A field of the newest transition of a backend, or null when it has none. */
    static String transition(String name, int backend, String field) {
        return api().get("/api/v1/distributors/{name}/traffic", name).then().statusCode(200).extract().jsonPath()
                .getString("backends[" + backend + "].transitions[0]." + field);
    }

    @Test
    void anUnknownDistributorIsA404AndTheTokenIsNeeded() {
        api().get("/api/v1/distributors/{name}/traffic", "no-such-distributor").then().statusCode(404)
                .contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/v1/distributors/{name}/traffic", "no-such-distributor")
                .then().statusCode(401);
    }
}
