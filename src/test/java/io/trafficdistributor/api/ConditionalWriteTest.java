package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** If-Match on every write: a stale version is 412 and writes nothing; the current one goes through. */
@QuarkusTest
class ConditionalWriteTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static long create(String name) {
        return api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201)
                .extract().jsonPath().getLong("version");
    }

    static RequestSpecification ifMatch(String tag) {
        return api().header("If-Match", tag);
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    static void assertVersion(String name, long version) {
        api().get(BASE + "/" + name).then().statusCode(200).body("version", equalTo((int) version))
                .header("ETag", equalTo(etag(version)));
    }

    @Test
    void putWithAStaleVersionIs412AndWithTheCurrentOneReplaces() {
        String name = uniqueName("ifmatch-put");
        long v = create(name);
        api().contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + name).then().statusCode(200);

        assertProblem(ifMatch(etag(v)).contentType("application/json").body(minimal(name)).put(BASE + "/" + name), 412)
                .body("detail", org.hamcrest.Matchers.containsString(name));
        assertVersion(name, v + 1);
        api().get(BASE + "/" + name).then().body("routing", equalTo("STICKY_SESSIONS"));

        ifMatch(etag(v + 1)).contentType("application/json").body(minimal(name)).put(BASE + "/" + name)
                .then().statusCode(200).header("ETag", equalTo(etag(v + 2))).body("routing", equalTo("ROUND_ROBIN"));
    }

    @Test
    void patchWithAStaleVersionIs412AndWithTheCurrentOnePatches() {
        String name = uniqueName("ifmatch-patch");
        long v = create(name);
        assertProblem(ifMatch(etag(v + 5)).contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + name), 412);
        assertVersion(name, v);
        ifMatch(etag(v)).contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + name)
                .then().statusCode(200).body("enabled", equalTo(true)).header("ETag", equalTo(etag(v + 1)));
        // The ETag just used is stale now.
        assertProblem(ifMatch(etag(v)).contentType(MERGE_PATCH).body(Map.of("enabled", false)).patch(BASE + "/" + name), 412);
        api().get(BASE + "/" + name).then().body("enabled", equalTo(true));
    }

    @Test
    void backendPatchWithAStaleVersionIs412AndWithTheCurrentOnePatches() {
        String name = uniqueName("ifmatch-backend");
        long v = create(name);
        assertProblem(ifMatch(etag(v + 1)).contentType(MERGE_PATCH).body(Map.of("weight", 0))
                .patch(BASE + "/" + name + "/backends/blue"), 412);
        api().get(BASE + "/" + name).then().body("backends[0].weight", equalTo(70));
        ifMatch(etag(v)).contentType(MERGE_PATCH).body(Map.of("weight", 0)).patch(BASE + "/" + name + "/backends/blue")
                .then().statusCode(200).body("backends[0].weight", equalTo(0));
    }

    @Test
    void deleteWithAStaleVersionIs412AndWithTheCurrentOneDeletes() {
        String name = uniqueName("ifmatch-delete");
        long v = create(name);
        assertProblem(ifMatch(etag(v + 1)).delete(BASE + "/" + name), 412);
        assertVersion(name, v);
        ifMatch(etag(v)).delete(BASE + "/" + name).then().statusCode(204);
        assertProblem(api().get(BASE + "/" + name), 404);
    }

    @Test
    void weakTagsAndStarAreAccepted() {
        String name = uniqueName("ifmatch-forms");
        long v = create(name);
        ifMatch("W/" + etag(v)).contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + name)
                .then().statusCode(200);
        ifMatch("*").contentType(MERGE_PATCH).body(Map.of("enabled", false)).patch(BASE + "/" + name)
                .then().statusCode(200).body("version", equalTo((int) v + 2));
    }

    @Test
    void aTagTheServiceNeverIssuedIsStale() {
        String name = uniqueName("ifmatch-garbage");
        long v = create(name);
        assertProblem(ifMatch("\"abc\"").contentType(MERGE_PATCH).body(Map.of("enabled", true)).patch(BASE + "/" + name), 412);
        assertProblem(ifMatch("\"99999999999999999999\"").delete(BASE + "/" + name), 412);
        assertVersion(name, v);
    }

    @Test
    void putCreateWithIfMatchIs412BecauseNothingMatches() {
        String name = uniqueName("ifmatch-create");
        assertProblem(ifMatch(etag(0)).contentType("application/json").body(minimal(name)).put(BASE + "/" + name), 412);
        assertProblem(api().get(BASE + "/" + name), 404);
    }
}
