package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** POST …/rollback: If-Match, no-op, a document that breaks a rule now, and every bad body a clear 4xx. */
@QuarkusTest
class RollbackTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static void create(String name) {
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
    }

    static void patch(String name, String patch) {
        api().contentType(MERGE_PATCH).body(patch).patch(BASE + "/" + name).then().statusCode(200);
    }

    static io.restassured.response.Response rollback(String name, String body, String ifMatch) {
        var request = api().contentType("application/json").body(body);
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return request.post(BASE + "/" + name + "/rollback");
    }

    @Test
    void aRollbackWritesTheRevisionBackAsANewVersion() {
        String name = uniqueName("rollback");
        create(name);
        patch(name, "{\"enabled\":false,\"passHostHeader\":false}");
        rollback(name, "{\"version\":0}", "\"1\"").then().statusCode(200).header("ETag", "\"2\"")
                .body("version", equalTo(2)).body("enabled", equalTo(true)).body("passHostHeader", equalTo(true));
        api().get(BASE + "/" + name).then().header("ETag", "\"2\"").body("enabled", equalTo(true));
        // And forward again: the history keeps every step, rollbacks included.
        rollback(name, "{\"version\":1}", null).then().statusCode(200).header("ETag", "\"3\"").body("enabled", equalTo(false));
        assertEquals(List.of("ROLLBACK", "ROLLBACK", "UPDATE", "CREATE"),
                api().get(BASE + "/" + name + "/revisions").then().extract().jsonPath().getList("items.change"));
    }

    @Test
    void aRollbackWithAStaleVersionIs412AndWritesNothing() {
        String name = uniqueName("rollback-stale");
        create(name);
        patch(name, "{\"enabled\":false}");
        assertProblem(rollback(name, "{\"version\":0}", "\"0\""), 412).body("detail", containsString("version 1"));
        api().get(BASE + "/" + name).then().header("ETag", "\"1\"").body("enabled", equalTo(false));
    }

    @Test
    void aRollbackToTheCurrentConfigurationWritesNothing() {
        String name = uniqueName("rollback-same");
        create(name);
        patch(name, "{\"enabled\":false}");
        patch(name, "{\"enabled\":true}");
        rollback(name, "{\"version\":0}", "\"2\"").then().statusCode(200).header("ETag", "\"2\"").body("version", equalTo(2));
        assertEquals(3, api().get(BASE + "/" + name + "/revisions").then().extract().jsonPath().getInt("total"));
    }

    @Test
    void aRollbackToAHostnameTakenSinceIs409NamingItsOwner() {
        String name = uniqueName("rollback-taken");
        String other = uniqueName("rollback-taker");
        create(name);
        patch(name, "{\"hostnames\":[\"moved." + hostOf(name) + "\"]}");
        Map<String, Object> taker = minimal(other);
        taker.put("hostnames", List.of(hostOf(name)));
        api().contentType("application/json").body(taker).post(BASE).then().statusCode(201);

        assertProblem(rollback(name, "{\"version\":0}", null), 409)
                .body("detail", equalTo("Hostname '" + hostOf(name) + "' belongs to distributor '" + other + "'."));
        api().get(BASE + "/" + name).then().header("ETag", "\"1\"").body("hostnames", equalTo(List.of("moved." + hostOf(name))));
        assertEquals(2, api().get(BASE + "/" + name + "/revisions").then().extract().jsonPath().getInt("total"));
    }

    @Test
    void badRollbackRequestsAreClear4xx() {
        String name = uniqueName("rollback-bad");
        create(name);
        assertViolation(rollback(name, "{\"version\":\"x\"}", null), "version");
        assertViolation(rollback(name, "{}", null), "version").body("violations[0].message", containsString("required"));
        assertViolation(rollback(name, "{\"version\":null}", null), "version");
        assertViolation(rollback(name, "{\"version\":0,\"force\":true}", null), "force");
        assertViolation(rollback(name, "[]", null), "body");
        assertProblem(rollback(name, "{\"version\":", null), 400);
        assertViolation(api().contentType("application/json").post(BASE + "/" + name + "/rollback"), "version");
        assertProblem(api().contentType("text/plain").body("0").post(BASE + "/" + name + "/rollback"), 415);
        assertProblem(rollback(name, "{\"version\":7}", null), 404).body("detail", containsString("no revision 7"));
        assertProblem(rollback(name, "{\"version\":-1}", null), 404);
        assertProblem(rollback(uniqueName("rollback-none"), "{\"version\":0}", null), 404)
                .body("detail", containsString("does not exist"));
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"");
    }
}
