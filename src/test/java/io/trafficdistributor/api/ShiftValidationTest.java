package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** POST/GET/DELETE …/shift: every bad request a clear 4xx, and nothing started by one. */
@QuarkusTest
class ShiftValidationTest {

    static final String BASE = "/api/v1/distributors";

    /** A ROUND_ROBIN distributor with blue (100) and green (0), health checks off. */
    static String create(String prefix, String routing) {
        String name = uniqueName(prefix);
        Map<String, Object> doc = minimal(name);
        doc.put("routing", routing);
        doc.put("backends", List.of(backend("blue", "http://10.0.0.5:8080", 100), backend("green", "http://10.0.0.6:8080", 0)));
        doc.put("healthCheck", Map.of("enabled", false));
        api().contentType("application/json").body(doc).post(BASE).then().statusCode(201);
        return name;
    }

    static Response shift(String name, String body) {
        return api().contentType("application/json").body(body).post(BASE + "/" + name + "/shift");
    }

    static void assertNoShift(String name) {
        assertProblem(api().get(BASE + "/" + name + "/shift"), 404).body("detail", containsString("has no shift"));
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"");
    }

    @Test
    void badWeightsAre400AtTheirField() {
        String name = create("shift-weights", "ROUND_ROBIN");
        assertViolation(shift(name, "{\"weights\":{\"purple\":10},\"durationSeconds\":60}"), "weights.purple")
                .body("violations[0].message", containsString("[blue, green]"));
        assertViolation(shift(name, "{\"weights\":{\"green\":1001},\"durationSeconds\":60}"), "weights.green");
        assertViolation(shift(name, "{\"weights\":{\"green\":-1},\"durationSeconds\":60}"), "weights.green");
        assertViolation(shift(name, "{\"weights\":{\"green\":null},\"durationSeconds\":60}"), "weights.green");
        assertViolation(shift(name, "{\"weights\":{\"green\":\"lots\"},\"durationSeconds\":60}"), "weights.green");
        assertViolation(shift(name, "{\"weights\":{},\"durationSeconds\":60}"), "weights");
        assertViolation(shift(name, "{\"durationSeconds\":60}"), "weights");
        assertViolation(shift(name, "{\"weights\":[1],\"durationSeconds\":60}"), "weights");
        // A target no backend could route by.
        assertViolation(shift(name, "{\"weights\":{\"blue\":0},\"durationSeconds\":60}"), "weights")
                .body("violations[0].message", containsString("at least one backend with a weight above 0"));
        assertNoShift(name);
    }

    @Test
    void badDurationsAndStepsAre400AtTheirField() {
        String name = create("shift-steps", "ROUND_ROBIN");
        String weights = "\"weights\":{\"green\":100,\"blue\":0}";
        assertViolation(shift(name, "{" + weights + "}"), "durationSeconds");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":0}"), "durationSeconds");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":86401}"), "durationSeconds");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":60,\"steps\":0}"), "steps");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":6000,\"steps\":1001}"), "steps");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":5,\"steps\":6}"), "steps")
                .body("violations[0].message", containsString("at least a second apart"));
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":60,\"abortOnDown\":\"maybe\"}"), "abortOnDown");
        assertViolation(shift(name, "{" + weights + ",\"durationSeconds\":60,\"speed\":2}"), "speed");
        assertProblem(shift(name, "{" + weights), 400);
        assertViolation(api().contentType("application/json").post(BASE + "/" + name + "/shift"), "body");
        assertProblem(api().contentType("text/plain").body("x").post(BASE + "/" + name + "/shift"), 415);
        // Every rule at once: each named.
        shift(name, "{\"weights\":{\"purple\":1},\"durationSeconds\":0,\"steps\":0}").then().statusCode(400)
                .body("violations", hasSize(3));
        assertNoShift(name);
    }

    @Test
    void failoverIsRoutedByOrderSoAShiftIs409() {
        String name = create("shift-failover", "FAILOVER");
        assertProblem(shift(name, "{\"weights\":{\"green\":100},\"durationSeconds\":60}"), 409)
                .body("detail", containsString("FAILOVER"));
        assertNoShift(name);
    }

    @Test
    void oneShiftAtATimeWithIfMatchAndStopsThatFindNothing() {
        String name = create("shift-one", "ROUND_ROBIN");
        assertProblem(api().contentType("application/json").header("If-Match", "\"1\"")
                .body("{\"weights\":{\"green\":100},\"durationSeconds\":600}").post(BASE + "/" + name + "/shift"), 412);
        assertProblem(api().delete(BASE + "/" + name + "/shift"), 404);
        api().contentType("application/json").header("If-Match", "\"0\"")
                .body("{\"weights\":{\"green\":100},\"durationSeconds\":600}").post(BASE + "/" + name + "/shift")
                .then().statusCode(202).header("Location", containsString(BASE + "/" + name + "/shift"))
                .body("state", equalTo("RUNNING")).body("steps", equalTo(10)).body("step", equalTo(0));
        assertProblem(shift(name, "{\"weights\":{\"green\":50},\"durationSeconds\":600}"), 409)
                .body("detail", containsString("has a shift running"));
        assertProblem(api().header("If-Match", "\"7\"").delete(BASE + "/" + name + "/shift"), 412);
        api().delete(BASE + "/" + name + "/shift").then().statusCode(200).body("state", equalTo("STOPPED"));
        String other = uniqueName("shift-none");
        assertProblem(shift(other, "{\"weights\":{\"green\":50},\"durationSeconds\":600}"), 404);
        assertProblem(api().get(BASE + "/" + other + "/shift"), 404).body("detail", containsString("does not exist"));
        assertProblem(api().delete(BASE + "/" + other + "/shift"), 404);
    }
}
