package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.backendAt;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.object;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The round trip of every endpoint: what each answers, what it stores, and what it leaves alone. */
@QuarkusTest
class DistributorCrudTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static Response post(Object body) {
        return api().contentType("application/json").body(body).post(BASE);
    }

    static Response put(String name, Object body) {
        return api().contentType("application/json").body(body).put(BASE + "/" + name);
    }

    static Response patch(String name, Object body) {
        return api().contentType(MERGE_PATCH).body(body).patch(BASE + "/" + name);
    }

    static Response patchBackend(String name, String backend, Object body) {
        return api().contentType(MERGE_PATCH).body(body).patch(BASE + "/" + name + "/backends/" + backend);
    }

    static JsonPath get(String name) {
        return api().get(BASE + "/" + name).then().statusCode(200).extract().jsonPath();
    }

    static long version(String name) {
        return get(name).getLong("version");
    }

    @Test
    void postAnswers201WithLocationETagAndTheStoredDocument() {
        String name = uniqueName("crud-post");
        Response created = post(full(name));
        created.then().statusCode(201)
                .header("Location", endsWith(BASE + "/" + name))
                .header("ETag", equalTo("\"" + created.jsonPath().getLong("version") + "\""))
                .body("name", equalTo(name))
                .body("id", notNullValue())
                .body("createdAt", notNullValue())
                .body("updatedAt", notNullValue());

        // The Location points at the new distributor.
        api().get(created.header("Location")).then().statusCode(200).body("name", equalTo(name));

        JsonPath stored = get(name);
        Map<String, Object> expected = full(name);
        assertEquals(expected.get("hostnames"), stored.getList("hostnames"));
        assertEquals("STICKY_SESSIONS", stored.getString("routing"));
        assertEquals(false, stored.getBoolean("enabled"));
        assertEquals(expected.get("backends"), stored.getList("backends"));
        assertEquals(expected.get("stickySession"), stored.getMap("stickySession"));
        assertEquals(expected.get("healthCheck"), stored.getMap("healthCheck"));
        assertEquals(expected.get("timeouts"), stored.getMap("timeouts"));
        assertEquals(false, stored.getBoolean("passHostHeader"));
        assertEquals(30, stored.getInt("slowStartSeconds"));
        assertEquals(created.jsonPath().getString("id"), stored.getString("id"));
        // The answer is the stored document, field for field, as a GET answers it.
        assertEquals(stored.getMap(""), created.jsonPath().getMap(""));
        assertTrue(created.contentType().startsWith("application/json"), created.contentType());
    }

    @Test
    void getAnswersTheDocumentWithItsVersionAsETag() {
        String name = uniqueName("crud-get");
        post(minimal(name)).then().statusCode(201);
        Response response = api().get(BASE + "/" + name);
        response.then().statusCode(200)
                .header("Content-Type", startsWith("application/json"))
                .body("name", equalTo(name));
        assertEquals("\"" + response.jsonPath().getLong("version") + "\"", response.header("ETag"));
    }

    @Test
    void createFillsInEveryDefault() {
        String name = uniqueName("crud-defaults");
        Map<String, Object> doc = minimal(name);
        backendAt(doc, 0).remove("weight");
        post(doc).then().statusCode(201)
                .body("routing", equalTo("ROUND_ROBIN"))
                .body("enabled", equalTo(true))
                .body("passHostHeader", equalTo(true))
                .body("slowStartSeconds", equalTo(0))
                .body("backends[0].weight", equalTo(1))
                .body("stickySession.cookieName", equalTo("TD_ROUTE"))
                .body("stickySession.maxAgeSeconds", nullValue())
                .body("stickySession.sameSite", equalTo("Lax"))
                .body("healthCheck.enabled", equalTo(true))
                .body("healthCheck.type", equalTo("HTTP"))
                .body("healthCheck.path", equalTo("/"))
                .body("healthCheck.expectedStatuses", equalTo("200-399"))
                .body("healthCheck.intervalSeconds", equalTo(5))
                .body("healthCheck.timeoutMillis", equalTo(2000))
                .body("healthCheck.healthyThreshold", equalTo(2))
                .body("healthCheck.unhealthyThreshold", equalTo(3))
                .body("timeouts.connectMillis", equalTo(3000))
                .body("timeouts.responseMillis", equalTo(60000))
                .body("timeouts.attemptMillis", nullValue());
        // The defaults are stored, not only echoed.
        assertEquals(5, get(name).getInt("healthCheck.intervalSeconds"));
        assertEquals("ROUND_ROBIN", get(name).getString("routing"));
    }

    @Test
    void partialNestedObjectsGetTheirOtherFieldsDefaulted() {
        String name = uniqueName("crud-nested-defaults");
        Map<String, Object> doc = minimal(name);
        object(doc, "healthCheck").put("intervalSeconds", 30);
        object(doc, "timeouts").put("attemptMillis", 1000);
        post(doc).then().statusCode(201)
                .body("healthCheck.intervalSeconds", equalTo(30))
                .body("healthCheck.timeoutMillis", equalTo(2000))
                .body("healthCheck.type", equalTo("HTTP"))
                .body("timeouts.attemptMillis", equalTo(1000))
                .body("timeouts.responseMillis", equalTo(60000));
    }

    @Test
    void postOfATakenNameIs409NamingIt() {
        String name = uniqueName("crud-dup");
        post(minimal(name)).then().statusCode(201);
        Map<String, Object> again = minimal(name);
        again.put("hostnames", List.of("other-" + hostOf(name)));
        assertProblem(post(again), 409).body("detail", org.hamcrest.Matchers.containsString(name));
    }

    @Test
    void readOnlyFieldsInARequestAreIgnored() {
        String name = uniqueName("crud-readonly");
        Map<String, Object> doc = minimal(name);
        doc.put("id", "00000000-0000-0000-0000-000000000001");
        doc.put("version", 42);
        doc.put("createdAt", "2000-01-01T00:00:00Z");
        doc.put("updatedAt", "2000-01-01T00:00:00Z");
        JsonPath created = post(doc).then().statusCode(201).extract().jsonPath();
        assertNotEquals("00000000-0000-0000-0000-000000000001", created.getString("id"));
        assertNotEquals(42L, created.getLong("version"));
        assertNotEquals("2000-01-01T00:00:00Z", created.getString("createdAt"));

        // The same on PUT: the body's read-only fields change nothing (not even the version: the document is the
        // stored one), the id stays the stored one.
        long version = created.getLong("version");
        doc.put("version", 7);
        doc.put("id", "00000000-0000-0000-0000-000000000002");
        put(name, doc).then().statusCode(200)
                .body("id", equalTo(created.getString("id")))
                .body("version", equalTo((int) version))
                .body("createdAt", equalTo(created.getString("createdAt")));

        // And on PATCH.
        patch(name, Map.of("version", 99, "id", "00000000-0000-0000-0000-000000000003", "enabled", false))
                .then().statusCode(200)
                .body("id", equalTo(created.getString("id")))
                .body("version", equalTo((int) version + 1))
                .body("enabled", equalTo(false));
    }

    @Test
    void putCreatesWith201ThenReplacesWith200() {
        String name = uniqueName("crud-put");
        Response created = put(name, full(name));
        created.then().statusCode(201)
                .header("Location", endsWith(BASE + "/" + name))
                .header("ETag", equalTo("\"" + created.jsonPath().getLong("version") + "\""))
                .body("routing", equalTo("STICKY_SESSIONS"));
        long version = created.jsonPath().getLong("version");

        // Replace whole: what the new document leaves out goes back to its default.
        Response replaced = put(name, minimal(name));
        replaced.then().statusCode(200)
                .header("ETag", equalTo("\"" + (version + 1) + "\""))
                .body("version", equalTo((int) version + 1))
                .body("routing", equalTo("ROUND_ROBIN"))
                .body("enabled", equalTo(true))
                .body("hostnames", contains(hostOf(name)))
                .body("backends.name", contains("a"))
                .body("healthCheck.type", equalTo("HTTP"))
                .body("timeouts.attemptMillis", nullValue())
                .body("id", equalTo(created.jsonPath().getString("id")))
                .body("createdAt", equalTo(created.jsonPath().getString("createdAt")));
        assertEquals("ROUND_ROBIN", get(name).getString("routing"));

        // Idempotent: the same PUT again answers 200 with the same content.
        put(name, minimal(name)).then().statusCode(200).body("routing", equalTo("ROUND_ROBIN"));
    }

    @Test
    void putWithoutANameInTheBodyTakesTheNameFromTheUrl() {
        String name = uniqueName("crud-put-noname");
        Map<String, Object> doc = minimal(name);
        doc.remove("name");
        put(name, doc).then().statusCode(201).body("name", equalTo(name));
    }

    @Test
    void mergePatchChangesOnlyTheGivenFieldsAndReplacesArraysWhole() {
        String name = uniqueName("crud-patch");
        JsonPath before = post(full(name)).then().statusCode(201).extract().jsonPath();
        long version = before.getLong("version");

        String newHost = "new-" + hostOf(name);
        Response patched = patch(name, Map.of(
                "enabled", true,
                "hostnames", List.of(newHost),
                "healthCheck", Map.of("intervalSeconds", 20),
                "timeouts", java.util.Collections.singletonMap("attemptMillis", null)));
        patched.then().statusCode(200)
                .header("ETag", equalTo("\"" + (version + 1) + "\""))
                .body("version", equalTo((int) version + 1));

        JsonPath after = get(name);
        assertEquals(true, after.getBoolean("enabled"));
        assertEquals(List.of(newHost), after.getList("hostnames"), "arrays are replaced whole");
        assertEquals(20, after.getInt("healthCheck.intervalSeconds"));
        // Other members of a patched object are kept (RFC 7396 merges objects).
        assertEquals(before.getInt("healthCheck.timeoutMillis"), after.getInt("healthCheck.timeoutMillis"));
        assertEquals(before.getString("healthCheck.type"), after.getString("healthCheck.type"));
        assertEquals(before.getString("healthCheck.expectedStatuses"), after.getString("healthCheck.expectedStatuses"));
        // null removes a member; attemptMillis is optional, so it is now off.
        assertNull(after.get("timeouts.attemptMillis"));
        assertEquals(before.getInt("timeouts.responseMillis"), after.getInt("timeouts.responseMillis"));
        // Untouched fields stay as they were.
        assertEquals(before.getString("routing"), after.getString("routing"));
        assertEquals(before.getList("backends"), after.getList("backends"));
        assertEquals(before.getMap("stickySession"), after.getMap("stickySession"));
        assertEquals(before.getBoolean("passHostHeader"), after.getBoolean("passHostHeader"));
        assertEquals(before.getInt("slowStartSeconds"), after.getInt("slowStartSeconds"));
        assertEquals(before.getString("id"), after.getString("id"));
        assertEquals(before.getString("createdAt"), after.getString("createdAt"));

        // The hostname the patch dropped is free again; the new one is served.
        api().queryParam("hostname", newHost).get(BASE).then().statusCode(200).body("items.name", contains(name));
        api().queryParam("hostname", hostOf(name)).get(BASE).then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void mergePatchOfBackendsReplacesTheWholeList() {
        String name = uniqueName("crud-patch-backends");
        post(full(name)).then().statusCode(201);
        patch(name, Map.of("backends", List.of(Map.of("name", "only", "url", "http://10.0.0.9")))).then().statusCode(200)
                .body("backends.name", contains("only"))
                .body("backends[0].weight", equalTo(1));
    }

    @Test
    void patchOfOneBackendChangesOnlyThatBackend() {
        String name = uniqueName("crud-backend");
        JsonPath before = post(full(name)).then().statusCode(201).extract().jsonPath();
        long version = before.getLong("version");

        Response patched = patchBackend(name, "blue", Map.of("weight", 0));
        patched.then().statusCode(200)
                .header("ETag", equalTo("\"" + (version + 1) + "\""))
                .body("version", equalTo((int) version + 1))
                .body("backends[0].name", equalTo("blue"))
                .body("backends[0].weight", equalTo(0))
                .body("backends[0].url", equalTo("http://10.0.0.5:8080"))
                .body("backends[1].weight", equalTo(30));

        JsonPath after = get(name);
        assertEquals(0, after.getInt("backends[0].weight"));
        assertEquals(before.getMap("backends[1]"), after.getMap("backends[1]"));
        assertEquals(before.getList("hostnames"), after.getList("hostnames"));
        assertEquals(before.getMap("healthCheck"), after.getMap("healthCheck"));

        patchBackend(name, "green", Map.of("url", "http://10.0.0.6:9090")).then().statusCode(200)
                .body("backends[1].url", equalTo("http://10.0.0.6:9090"))
                .body("backends[1].weight", equalTo(30));
    }

    @Test
    void patchOfABackendIsValidatedLikeTheWholeDocument() {
        String name = uniqueName("crud-backend-bad");
        post(full(name)).then().statusCode(201);
        long version = version(name);
        io.trafficdistributor.support.Problems.assertViolation(patchBackend(name, "green", Map.of("weight", -1)),
                "backends[1].weight");
        io.trafficdistributor.support.Problems.assertViolation(patchBackend(name, "green", Map.of("name", "blue")),
                "backends[1].name");
        io.trafficdistributor.support.Problems.assertViolation(patchBackend(name, "green", Map.of("colour", "red")),
                "backends[1].colour");
        io.trafficdistributor.support.Problems.assertViolation(patchBackend(name, "green", Map.of("url", "ftp://x.example")),
                "backends[1].url");
        patchBackend(name, "blue", Map.of("weight", 0)).then().statusCode(200);
        // Now the last weighted backend cannot go to 0 either.
        io.trafficdistributor.support.Problems.assertViolation(patchBackend(name, "green", Map.of("weight", 0)), "backends");
        assertEquals(version + 1, version(name), "only the one valid patch was written");
    }

    @Test
    void deleteAnswers204ThenTheDistributorIsGone() {
        String name = uniqueName("crud-delete");
        post(minimal(name)).then().statusCode(201);
        api().delete(BASE + "/" + name).then().statusCode(204);
        assertProblem(api().get(BASE + "/" + name), 404).body("detail", org.hamcrest.Matchers.containsString(name));
        assertProblem(api().delete(BASE + "/" + name), 404);
        // Its hostname is free for another distributor.
        String other = uniqueName("crud-delete-next");
        Map<String, Object> next = minimal(other);
        next.put("hostnames", List.of(hostOf(name)));
        post(next).then().statusCode(201);
        // And its name can be used again.
        Map<String, Object> again = minimal(name);
        again.put("hostnames", List.of("again-" + hostOf(name)));
        post(again).then().statusCode(201);
    }

    @Test
    void everyWriteThatChangesSomethingBumpsTheVersion() {
        String name = uniqueName("crud-versions");
        long v0 = post(full(name)).then().statusCode(201).extract().jsonPath().getLong("version");
        assertEquals(v0, version(name));
        Map<String, Object> enabled = full(name);
        enabled.put("enabled", true);
        assertEquals(v0 + 1, put(name, enabled).then().statusCode(200).extract().jsonPath().getLong("version"));
        assertEquals(v0 + 2, patch(name, Map.of("enabled", false)).then().statusCode(200).extract().jsonPath().getLong("version"));
        assertEquals(v0 + 3, patchBackend(name, "green", Map.of("weight", 5)).then().statusCode(200)
                .extract().jsonPath().getLong("version"));
        assertEquals(v0 + 3, version(name));
        api().get(BASE + "/" + name).then().header("ETag", equalTo("\"" + (v0 + 3) + "\""));
    }

    @Test
    void updatedAtMovesOnAWriteAndCreatedAtDoesNot() {
        String name = uniqueName("crud-times");
        JsonPath created = post(minimal(name)).then().statusCode(201).extract().jsonPath();
        JsonPath patched = patch(name, Map.of("enabled", false)).then().statusCode(200).extract().jsonPath();
        assertEquals(created.getString("createdAt"), patched.getString("createdAt"));
        assertNotEquals(created.getString("updatedAt"), patched.getString("updatedAt"));
    }

    @Test
    void statusSharesFollowTheWeightsAndHealthIsUnknown() {
        String name = uniqueName("crud-status");
        Map<String, Object> doc = minimal(name);
        doc.put("backends", List.of(backend("blue", "http://10.0.0.5:8080", 70), backend("green", "http://10.0.0.6:8080", 30),
                backend("drained", "http://10.0.0.7:8080", 0)));
        // No probes (they would start at once): the view shows the state before any check.
        doc.put("healthCheck", Map.of("enabled", false));
        post(doc).then().statusCode(201);
        api().get(BASE + "/" + name + "/status").then().statusCode(200)
                .body("name", equalTo(name))
                .body("routing", equalTo("ROUND_ROBIN"))
                .body("activeBackend", nullValue())
                .body("backends.name", contains("blue", "green", "drained"))
                .body("backends[0].url", equalTo("http://10.0.0.5:8080"))
                .body("backends[0].weight", equalTo(70))
                .body("backends[0].share", equalTo(70.0f))
                .body("backends[1].share", equalTo(30.0f))
                .body("backends[2].share", equalTo(0.0f))
                .body("backends.health", contains("UNKNOWN", "UNKNOWN", "UNKNOWN"))
                .body("backends[0].consecutiveSuccesses", equalTo(0))
                .body("backends[0].consecutiveFailures", equalTo(0));

        // A weight change shows at once.
        patchBackend(name, "green", Map.of("weight", 70)).then().statusCode(200);
        api().get(BASE + "/" + name + "/status").then().statusCode(200)
                .body("backends[0].share", equalTo(50.0f))
                .body("backends[1].share", equalTo(50.0f));
    }

    @Test
    void statusOfAFailoverDistributorNamesThePrimaryAsActive() {
        String name = uniqueName("crud-status-failover");
        Map<String, Object> doc = minimal(name);
        doc.put("routing", "FAILOVER");
        doc.put("backends", List.of(backend("primary", "http://10.0.0.5:8080", 1), backend("standby", "http://10.0.0.6:8080", 5)));
        doc.put("healthCheck", Map.of("enabled", false));
        post(doc).then().statusCode(201);
        api().get(BASE + "/" + name + "/status").then().statusCode(200)
                .body("routing", equalTo("FAILOVER"))
                .body("activeBackend", equalTo("primary"))
                .body("backends.name", contains("primary", "standby"))
                .body("backends[0].share", equalTo(100.0f))
                .body("backends[1].share", equalTo(0.0f))
                .body("backends.health", contains("UNKNOWN", "UNKNOWN"));
    }

    @Test
    void statusOfAnUnknownDistributorIs404() {
        assertProblem(api().get(BASE + "/" + uniqueName("crud-nobody") + "/status"), 404);
    }
}
