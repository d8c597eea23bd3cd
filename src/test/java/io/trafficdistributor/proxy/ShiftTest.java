package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.answers;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.count;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.patchBackend;
import static io.trafficdistributor.support.Api.api;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trafficdistributor.support.TestBackend;

/** Gradual shifts driven by the service: completing, aborted by a DOWN backend, cancelled by a write, stopped. */
@QuarkusTest
class ShiftTest {

    static final String BASE = "/api/v1/distributors";
    static TestBackend blue;
    static TestBackend green;

    @BeforeAll
    static void start() {
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
    }

    @AfterAll
    static void stop() {
        blue.close();
        green.close();
    }

    /** blue 100, green 0; probes of /health every second, one failure makes DOWN. */
    static void createBlueGreen(String name) {
        create("""
                {"name":"%s","hostnames":["%s.test"],"backends":[%s,%s],
                 "healthCheck":{"path":"/health","intervalSeconds":1,"timeoutMillis":500,"healthyThreshold":1,"unhealthyThreshold":1}}"""
                .formatted(name, name, backend(blue, 100), backend(green, 0)));
    }

    static JsonPath startShift(String name, String body) {
        return api().contentType("application/json").body(body).post(BASE + "/" + name + "/shift")
                .then().statusCode(202).extract().jsonPath();
    }

    static JsonPath shift(String name) {
        return api().get(BASE + "/" + name + "/shift").then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitState(String name, String state, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(shift(name).getString("state")));
        return shift(name);
    }

    static List<Integer> weights(String name) {
        return api().get(BASE + "/" + name).then().statusCode(200).extract().jsonPath().getList("backends.weight");
    }

    static JsonPath history(String name) {
        return api().get(BASE + "/" + name + "/revisions").then().statusCode(200).extract().jsonPath();
    }

    static double shiftSteps(String distributor) {
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^td_shift_steps_total\\{distributor=\"" + Pattern.quote(distributor) + "\"} ([0-9.]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aShiftMovesTheWeightsInEqualStepsToItsTarget() {
        createBlueGreen("shift-complete");
        assertEquals(10, count(answers("shift-complete.test", 10), "blue"));
        JsonPath started = startShift("shift-complete", "{\"weights\":{\"blue\":0,\"green\":100},\"durationSeconds\":2,\"steps\":2}");
        assertEquals(java.util.Set.of("state", "weights", "startWeights", "durationSeconds", "steps", "step", "abortOnDown",
                "startedAt", "nextStepAt", "endedAt", "reason"), started.getMap("").keySet());
        assertEquals("RUNNING", started.getString("state"));
        assertEquals(0, started.getInt("step"));
        assertEquals(100, started.getInt("startWeights.blue"));
        assertEquals(0, started.getInt("weights.blue"));
        assertEquals(Duration.ofSeconds(1), Duration.between(OffsetDateTime.parse(started.getString("startedAt")),
                OffsetDateTime.parse(started.getString("nextStepAt"))));

        JsonPath done = awaitState("shift-complete", "COMPLETED", 15);
        assertEquals(2, done.getInt("step"));
        assertEquals(null, done.getString("nextStepAt"));
        assertEquals(List.of(0, 100), weights("shift-complete"));
        assertEquals(10, count(answers("shift-complete.test", 10), "green"));

        // Each step an ordinary write, in the history as SHIFT: 50/50, then the target exactly.
        JsonPath history = history("shift-complete");
        assertEquals(List.of(2, 1, 0), history.getList("items.version"));
        assertEquals(List.of("SHIFT", "SHIFT", "CREATE"), history.getList("items.change"));
        assertEquals(List.of(50, 50), history.getList("items[1].document.backends.weight"));
        assertEquals(List.of(0, 100), history.getList("items[0].document.backends.weight"));
        assertEquals(2.0, shiftSteps("shift-complete"));
        // A finished shift makes room for the next one.
        startShift("shift-complete", "{\"weights\":{\"blue\":100,\"green\":0},\"durationSeconds\":1}");
        awaitState("shift-complete", "COMPLETED", 15);
        assertEquals(List.of(100, 0), weights("shift-complete"));
    }

    @Test
    void aGainingBackendGoingDownAbortsTheShiftAndRestoresTheStartingWeights() {
        createBlueGreen("shift-abort");
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(api().get(BASE + "/shift-abort/status")
                .then().extract().path("backends[1].health")));
        startShift("shift-abort", "{\"weights\":{\"blue\":0,\"green\":100},\"durationSeconds\":60,\"steps\":60,\"abortOnDown\":true}");
        await().atMost(Duration.ofSeconds(10)).until(() -> shift("shift-abort").getInt("step") >= 1);
        assertTrue(weights("shift-abort").get(1) > 0, "green gained no weight");
        try {
            green.healthStatus(503);
            JsonPath aborted = awaitState("shift-abort", "ABORTED", 15);
            assertTrue(aborted.getString("reason").contains("backend 'green', gaining weight, is DOWN"), aborted.getString("reason"));
            assertTrue(aborted.getString("reason").contains("starting weights were restored"), aborted.getString("reason"));
            assertEquals(null, aborted.getString("nextStepAt"));
        } finally {
            green.healthStatus(200);
        }
        assertEquals(List.of(100, 0), weights("shift-abort"));
        JsonPath history = history("shift-abort");
        assertEquals("SHIFT", history.getString("items[0].change"));
        assertEquals(List.of(100, 0), history.getList("items[0].document.backends.weight"));
        assertEquals(10, count(answers("shift-abort.test", 10), "blue"));
    }

    @Test
    void aWriteBySomeoneElseCancelsTheShiftWithTheReason() {
        createBlueGreen("shift-cancel");
        startShift("shift-cancel", "{\"weights\":{\"blue\":0,\"green\":100},\"durationSeconds\":60,\"steps\":2}");
        patchBackend("shift-cancel", "green", "{\"weight\":7}");
        JsonPath cancelled = awaitState("shift-cancel", "CANCELLED", 5);
        assertTrue(cancelled.getString("reason").contains("was changed by another write (version 1; the shift last wrote or started from version 0)"),
                cancelled.getString("reason"));
        assertEquals(0, cancelled.getInt("step"));
        assertEquals(List.of(100, 7), weights("shift-cancel"));
        assertEquals(List.of("UPDATE", "CREATE"), history("shift-cancel").getList("items.change"));
    }

    @Test
    void deleteStopsTheShiftWhereItIs() throws InterruptedException {
        createBlueGreen("shift-stop");
        startShift("shift-stop", "{\"weights\":{\"blue\":0,\"green\":100},\"durationSeconds\":50,\"steps\":50}");
        await().atMost(Duration.ofSeconds(10)).until(() -> shift("shift-stop").getInt("step") >= 1);
        JsonPath stopped = api().delete(BASE + "/shift-stop/shift").then().statusCode(200)
                .body("state", equalTo("STOPPED")).body("nextStepAt", nullValue())
                .body("reason", containsString("stopped through the API")).extract().jsonPath();
        List<Integer> where = weights("shift-stop");
        Thread.sleep(2500);
        assertEquals(where, weights("shift-stop"));
        assertEquals(stopped.getInt("step"), shift("shift-stop").getInt("step"));
        // 50 steps from 0 to 100: 2 more per step.
        assertEquals(List.of(100 - 2 * stopped.getInt("step"), 2 * stopped.getInt("step")), where);
        // Stopping what has ended changes nothing.
        api().delete(BASE + "/shift-stop/shift").then().statusCode(200).body("state", equalTo("STOPPED"));
    }
}
