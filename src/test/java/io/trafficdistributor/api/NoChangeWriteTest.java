package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.uniqueName;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** A PUT or PATCH that changes nothing answers 200 with the same version, and writes nothing. */
@QuarkusTest
class NoChangeWriteTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    @Test
    void reApplyingTheSameDocumentKeepsTheVersion() {
        String name = uniqueName("same");
        Map<String, Object> doc = full(name);
        String updatedAt = api().contentType("application/json").body(doc).put(BASE + "/" + name).then().statusCode(201)
                .extract().path("updatedAt");
        for (int i = 0; i < 3; i++) {
            api().contentType("application/json").body(doc).put(BASE + "/" + name).then().statusCode(200)
                    .header("ETag", "\"0\"").body("version", equalTo(0)).body("updatedAt", equalTo(updatedAt));
        }
        // The same with If-Match of the current version, and with the defaults spelled out or left out.
        api().contentType("application/json").header("If-Match", "\"0\"").body(doc).put(BASE + "/" + name)
                .then().statusCode(200).header("ETag", "\"0\"");
        Map<String, Object> stored = api().get(BASE + "/" + name).then().extract().jsonPath().getMap("");
        api().contentType("application/json").body(stored).put(BASE + "/" + name).then().statusCode(200)
                .header("ETag", "\"0\"");
    }

    @Test
    void aPatchThatChangesNothingKeepsTheVersion() {
        String name = uniqueName("same-patch");
        api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201);
        api().contentType(MERGE_PATCH).body("{}").patch(BASE + "/" + name).then().statusCode(200).header("ETag", "\"0\"");
        api().contentType(MERGE_PATCH).body("{\"enabled\":false}").patch(BASE + "/" + name).then().statusCode(200)
                .header("ETag", "\"0\"");
        String backend = api().get(BASE + "/" + name).then().extract().path("backends[0].name");
        int weight = api().get(BASE + "/" + name).then().extract().path("backends[0].weight");
        api().contentType(MERGE_PATCH).body(Map.of("weight", weight)).patch(BASE + "/" + name + "/backends/" + backend)
                .then().statusCode(200).header("ETag", "\"0\"");
        // A real change still bumps it, once.
        api().contentType(MERGE_PATCH).body("{\"enabled\":true}").patch(BASE + "/" + name).then().statusCode(200)
                .header("ETag", "\"1\"");
        api().contentType(MERGE_PATCH).body("{\"enabled\":true}").patch(BASE + "/" + name).then().statusCode(200)
                .header("ETag", "\"1\"");
        assertEquals(1, (int) api().get(BASE + "/" + name).then().extract().path("version"));
    }
}
