package io.trafficdistributor.service;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The one-query conflict check of a write, and the one-statement read of every distributor that builds the
 * routing table: what they answer must not differ from what the entities say.
 */
@QuarkusTest
class DistributorWriteAndLoadTest {

    private static final String BASE = "/api/v1/distributors";

    @Inject
    DistributorService distributors;

    private static Response post(Object body) {
        return api().contentType("application/json").body(body).post(BASE);
    }

    @Test
    void aTakenHostnameIs409NamingItAndItsOwner() {
        String owner = uniqueName("owner");
        post(minimal(owner)).then().statusCode(201);
        String other = uniqueName("other");
        Map<String, Object> doc = minimal(other);
        doc.put("hostnames", List.of(hostOf(other), hostOf(owner).toUpperCase()));
        assertProblem(post(doc), 409)
                .body("detail", containsString("'" + hostOf(owner) + "'"))
                .body("detail", containsString("'" + owner + "'"));
        api().get(BASE + "/" + other).then().statusCode(404);
    }

    @Test
    void aTakenNameIs409EvenWhenTheHostnamesAreFree() {
        String name = uniqueName("twice");
        post(minimal(name)).then().statusCode(201);
        Map<String, Object> again = minimal(name);
        again.put("hostnames", List.of("free-" + hostOf(name)));
        assertProblem(post(again), 409).body("detail", containsString("named '" + name + "'"));
    }

    @Test
    void aReplaceKeepingItsOwnHostnamesIsNoConflict() {
        String name = uniqueName("keeps");
        post(full(name)).then().statusCode(201);
        Map<String, Object> doc = full(name);
        doc.put("hostnames", List.of("*." + hostOf(name), hostOf(name), "more-" + hostOf(name)));
        api().contentType("application/json").body(doc).put(BASE + "/" + name).then().statusCode(200);
        assertEquals(List.of("*." + hostOf(name), hostOf(name), "more-" + hostOf(name)),
                api().get(BASE + "/" + name).then().statusCode(200).extract().jsonPath().getList("hostnames"));
    }

    @Test
    void aCreationStoresEveryFieldAsTheEntitiesReadIt() {
        for (String name : List.of(uniqueName("create-full"), uniqueName("create-min"))) {
            Response created = post(name.startsWith("create-full") ? full(name) : minimal(name));
            created.then().statusCode(201);
            // The creation's own SQL statement, read back through the entity: every field as answered.
            Response read = api().get(BASE + "/" + name);
            read.then().statusCode(200);
            Map<String, Object> answered = created.jsonPath().getMap("$");
            Map<String, Object> stored = read.jsonPath().getMap("$");
            for (String timestamp : List.of("createdAt", "updatedAt")) {
                assertEquals(OffsetDateTime.parse((String) answered.remove(timestamp)).toInstant(),
                        OffsetDateTime.parse((String) stored.remove(timestamp)).toInstant(), name + " " + timestamp);
            }
            assertEquals(answered, stored, name);
            assertEquals(0, read.jsonPath().getInt("version"));
            // ... and the entity can change it: version 0 -> 1.
            api().contentType("application/merge-patch+json").header("If-Match", "\"0\"")
                    .body(Map.of("enabled", !(Boolean) stored.get("enabled")))
                    .patch(BASE + "/" + name).then().statusCode(200).header("ETag", "\"1\"");
        }
    }

    @Test
    void theFullReadGivesEveryFieldAsTheEntitiesDo() {
        String full = uniqueName("load-full");
        String minimal = uniqueName("load-min");
        post(full(full)).then().statusCode(201);
        post(minimal(minimal)).then().statusCode(201);
        Map<String, DistributorDocument> loaded = new java.util.HashMap<>();
        distributors.all().forEach(d -> loaded.put(d.name(), d));
        for (String name : List.of(full, minimal)) {
            DistributorDocument expected = distributors.get(name).orElseThrow();
            DistributorDocument actual = loaded.get(name);
            // Timestamps: the same instant (the offset they are given in is not part of the comparison).
            assertEquals(expected.createdAt().toInstant(), actual.createdAt().toInstant(), name);
            assertEquals(expected.updatedAt().toInstant(), actual.updatedAt().toInstant(), name);
            assertEquals(withoutTimestamps(expected), withoutTimestamps(actual), name);
        }
    }

    private static DistributorDocument withoutTimestamps(DistributorDocument d) {
        return new DistributorDocument(d.name(), d.hostnames(), d.routing(), d.enabled(), d.backends(),
                d.stickySession(), d.healthCheck(), d.timeouts(), d.passHostHeader(), d.slowStartSeconds(), d.tls(), d.id(), d.version(), null, null);
    }
}
