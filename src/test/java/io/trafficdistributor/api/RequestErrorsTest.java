package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Bodies and requests that are wrong before any rule applies: each is a clear 4xx problem, never a 5xx. */
@QuarkusTest
class RequestErrorsTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static String existing() {
        String name = uniqueName("errors");
        api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201);
        return name;
    }

    @ParameterizedTest(name = "POST body ''{0}'' -> 400")
    @ValueSource(strings = { "{", "{\"name\":", "not json", "{\"name\":\"x\",}", "{'name':'x'}", "{\"name\":\"x\"} trailing",
            "{\"name\":\"x\"}{}", "\u0000", "[", "{\"backends\":[{\"weight\":1e999999}]}" })
    void malformedJsonIs400(String body) {
        assertProblem(api().contentType("application/json").body(body).post(BASE), 400);
    }

    @Test
    void malformedJsonSaysSo() {
        assertProblem(api().contentType("application/json").body("{\"name\":").post(BASE), 400)
                .body("type", containsString("malformed-json"))
                .body("detail", containsString("JSON"));
    }

    @Test
    void malformedJsonOnPutAndPatchIs400() {
        String name = existing();
        assertProblem(api().contentType("application/json").body("{oops").put(BASE + "/" + name), 400);
        assertProblem(api().contentType(MERGE_PATCH).body("{oops").patch(BASE + "/" + name), 400)
                .body("type", containsString("malformed-json"));
        assertProblem(api().contentType(MERGE_PATCH).body("{oops").patch(BASE + "/" + name + "/backends/blue"), 400);
        assertProblem(api().contentType(MERGE_PATCH).body("{\"enabled\":true} x").patch(BASE + "/" + name), 400);
    }

    @ParameterizedTest(name = "POST JSON ''{0}'' that is not a document -> 400")
    @ValueSource(strings = { "[]", "[{}]", "\"shop\"", "42", "true" })
    void jsonThatIsNotAnObjectIs400(String body) {
        assertProblem(api().contentType("application/json").body(body).post(BASE), 400);
    }

    @Test
    void aMissingBodyIs400() {
        assertViolation(api().contentType("application/json").post(BASE), "body");
        assertViolation(api().contentType("application/json").body("").post(BASE), "body");
        assertViolation(api().contentType("application/json").body("null").post(BASE), "body");
        String name = existing();
        assertViolation(api().contentType("application/json").put(BASE + "/" + name), "body");
        assertViolation(api().contentType(MERGE_PATCH).patch(BASE + "/" + name), "body");
        assertViolation(api().contentType(MERGE_PATCH).patch(BASE + "/" + name + "/backends/blue"), "body");
    }

    @ParameterizedTest(name = "merge patch ''{0}'' -> 400")
    @ValueSource(strings = { "[]", "[{\"enabled\":true}]", "\"x\"", "1", "null", "true" })
    void aMergePatchThatIsNotAnObjectIs400(String patch) {
        String name = existing();
        long version = api().get(BASE + "/" + name).then().extract().jsonPath().getLong("version");
        assertViolation(api().contentType(MERGE_PATCH).body(patch).patch(BASE + "/" + name), "body");
        assertViolation(api().contentType(MERGE_PATCH).body(patch).patch(BASE + "/" + name + "/backends/blue"), "body");
        api().get(BASE + "/" + name).then().body("version", equalTo((int) version));
    }

    @Test
    void anEmptyMergePatchChangesNothingButIsAWrite() {
        String name = existing();
        long version = api().get(BASE + "/" + name).then().extract().jsonPath().getLong("version");
        api().contentType(MERGE_PATCH).body("{}").patch(BASE + "/" + name).then().statusCode(200)
                .body("routing", equalTo("STICKY_SESSIONS"))
                .body("version", org.hamcrest.Matchers.greaterThanOrEqualTo((int) version));
    }

    @Test
    void aWrongContentTypeIs415() {
        String name = existing();
        String doc = "{\"name\":\"" + name + "\"}";
        assertProblem(api().contentType(ContentType.TEXT).body(doc).post(BASE), 415);
        assertProblem(api().contentType("application/xml").body("<x/>").post(BASE), 415);
        assertProblem(api().contentType(ContentType.URLENC).body("name=x").post(BASE), 415);
        assertProblem(api().contentType(ContentType.TEXT).body(doc).put(BASE + "/" + name), 415);
        // PATCH wants a merge patch, not a whole document.
        assertProblem(api().contentType("application/json").body("{\"enabled\":true}").patch(BASE + "/" + name), 415)
                .body("detail", containsString("merge-patch"));
        assertProblem(api().contentType("application/json").body("{\"weight\":0}").patch(BASE + "/" + name + "/backends/blue"), 415);
        assertProblem(api().contentType("application/json-patch+json").body("[]").patch(BASE + "/" + name), 415);
        api().get(BASE + "/" + name).then().body("enabled", equalTo(false));
    }

    @Test
    void aBodyOverOneMebibyteIs413() {
        String name = uniqueName("errors-big");
        // Valid JSON, padded past 1 MiB with whitespace.
        String big = "{\"name\":\"" + name + "\"" + " ".repeat(1024 * 1024) + "}";
        assertProblem(api().contentType("application/json").body(big).post(BASE), 413);
        assertProblem(api().get(BASE + "/" + name), 404);

        String existing = existing();
        assertProblem(api().contentType(MERGE_PATCH).body("{\"enabled\":true" + " ".repeat(1024 * 1024) + "}")
                .patch(BASE + "/" + existing), 413);
        api().get(BASE + "/" + existing).then().body("enabled", equalTo(false));
    }

    @Test
    void aBodyJustUnderTheLimitIsRead() {
        String name = uniqueName("errors-near-limit");
        String body = "{\"name\":\"" + name + "\",\"hostnames\":[\"" + name + ".example.test\"],"
                + "\"backends\":[{\"name\":\"a\",\"url\":\"http://10.0.0.1\"}]";
        body = body + " ".repeat(1024 * 1024 - body.length() - 1) + "}";
        api().contentType("application/json").body(body).post(BASE).then().statusCode(201);
    }

    @Test
    void unknownDistributorIs404OnEveryEndpoint() {
        String nobody = uniqueName("errors-nobody");
        assertProblem(api().get(BASE + "/" + nobody), 404).body("detail", containsString(nobody));
        assertProblem(api().delete(BASE + "/" + nobody), 404);
        assertProblem(api().contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + nobody), 404);
        assertProblem(api().contentType(MERGE_PATCH).body(Map.of("weight", 1)).patch(BASE + "/" + nobody + "/backends/a"), 404);
        assertProblem(api().get(BASE + "/" + nobody + "/status"), 404);
        // A name that could never exist is simply not found either.
        assertProblem(api().get(BASE + "/NOT_A_NAME"), 404);
    }

    @Test
    void unknownBackendIs404AndWritesNothing() {
        String name = existing();
        long version = api().get(BASE + "/" + name).then().extract().jsonPath().getLong("version");
        assertProblem(api().contentType(MERGE_PATCH).body(Map.of("weight", 0)).patch(BASE + "/" + name + "/backends/purple"), 404)
                .body("detail", containsString("purple"));
        api().get(BASE + "/" + name).then().body("version", equalTo((int) version));
    }

    @Test
    void unknownPathsAndMethodsAreProblems() {
        assertProblem(api().get("/api/v1/nothing-here"), 404);
        assertProblem(api().get(BASE + "/x/y/z"), 404);
        String name = existing();
        assertProblem(api().contentType("application/json").body(minimal(name)).post(BASE + "/" + name), 405);
        assertProblem(api().delete(BASE), 405);
    }

    @Test
    void aNonJsonAcceptIs406() {
        String name = existing();
        int status = api().accept("application/xml").get(BASE + "/" + name).then().extract().statusCode();
        assertEquals406(status);
    }

    private static void assertEquals406(int status) {
        org.junit.jupiter.api.Assertions.assertEquals(406, status);
    }
}
