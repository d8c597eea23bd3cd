package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** One backend added or removed without sending the whole list: the same rules, If-Match and ETag as any write. */
@QuarkusTest
class BackendApiTest {

    static final String BASE = "/api/v1/distributors";

    static String create(String routing, Map<String, Object> first, Map<String, Object> second) {
        String name = uniqueName("backends");
        Map<String, Object> doc = minimal(name);
        doc.put("routing", routing);
        doc.put("healthCheck", Map.of("enabled", false)); // nothing listens at these addresses: no probes
        doc.put("backends", second == null ? List.of(first) : List.of(first, second));
        api().contentType("application/json").body(doc).post(BASE).then().statusCode(201);
        return name;
    }

    static Response add(String name, String ifMatch, Object body, String position) {
        var request = api().contentType("application/json").body(body);
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        if (position != null) {
            request.queryParam("position", position);
        }
        return request.post(BASE + "/" + name + "/backends");
    }

    @Test
    void aBackendIsAddedAtTheEndWithTheDocumentAndItsNewETag() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), null);
        add(name, "\"0\"", backend("b", "http://10.0.0.2:8080", 3), null).then().statusCode(201)
                .header("ETag", "\"1\"")
                .header("Location", endsWith(BASE + "/" + name + "/backends/b"))
                .body("version", equalTo(1))
                .body("backends.name", contains("a", "b"))
                .body("backends[1].weight", equalTo(3));
        api().get(BASE + "/" + name).then().body("backends.name", contains("a", "b")).header("ETag", "\"1\"");
    }

    @Test
    void aBackendIsAddedAtAPositionWithItsDefaults() {
        String name = create("FAILOVER", backend("a", "http://10.0.0.1:8080", 1), backend("c", "http://10.0.0.3:8080", 1));
        add(name, null, Map.of("name", "b", "url", "http://10.0.0.2:8080"), "1").then().statusCode(201)
                .body("backends.name", contains("a", "b", "c")).body("backends[1].weight", equalTo(1));
        add(name, null, Map.of("name", "first", "url", "http://10.0.0.9:8080"), "0").then().statusCode(201)
                .body("backends.name", contains("first", "a", "b", "c"));
        add(name, null, Map.of("name", "last", "url", "http://10.0.0.8:8080"), "4").then().statusCode(201)
                .body("backends.name", contains("first", "a", "b", "c", "last"));
    }

    @Test
    void aTakenBackendNameIs409() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), null);
        assertProblem(add(name, null, backend("a", "http://10.0.0.2:8080", 1), null), 409)
                .body("detail", containsString("'a'"));
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"");
    }

    @Test
    void aBadBackendOrPositionIs400AndWritesNothing() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), null);
        assertViolation(add(name, null, backend("b", "ftp://10.0.0.2", 1), null), "backends[1].url");
        assertViolation(add(name, null, backend("b", "http://10.0.0.2", 1001), null), "backends[1].weight");
        assertViolation(add(name, null, backend("b d", "http://10.0.0.2", 1), null), "backends[1].name");
        assertViolation(add(name, null, Map.of("url", "http://10.0.0.2"), null), "backends[1].name");
        assertViolation(add(name, null, Map.of("name", "b", "url", "http://10.0.0.2", "extra", 1), null), "extra");
        assertViolation(add(name, null, backend("b", "http://10.0.0.2", 1), "2"), "position");
        assertViolation(add(name, null, backend("b", "http://10.0.0.2", 1), "-1"), "position");
        assertViolation(add(name, null, backend("b", "http://10.0.0.2", 1), "x"), "position");
        assertProblem(api().contentType("application/json").post(BASE + "/" + name + "/backends"), 400);
        assertProblem(api().contentType("text/plain").body("b").post(BASE + "/" + name + "/backends"), 415);
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"").body("backends.name", contains("a"));
    }

    @Test
    void addingHonoursIfMatchAndNeedsAnExistingDistributor() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), null);
        assertProblem(add(name, "\"7\"", backend("b", "http://10.0.0.2:8080", 1), null), 412);
        assertProblem(add(uniqueName("nobody"), null, backend("b", "http://10.0.0.2:8080", 1), null), 404);
    }

    @Test
    void aBackendIsRemovedWithTheDocumentAndItsNewETag() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), backend("b", "http://10.0.0.2:8080", 1));
        api().header("If-Match", "\"0\"").delete(BASE + "/" + name + "/backends/a").then().statusCode(200)
                .header("ETag", "\"1\"").body("version", equalTo(1)).body("backends.name", contains("b"));
        api().get(BASE + "/" + name).then().body("backends.name", contains("b"));
    }

    @Test
    void removingAnUnknownBackendIs404AndAStaleVersion412() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), backend("b", "http://10.0.0.2:8080", 1));
        assertProblem(api().delete(BASE + "/" + name + "/backends/zz"), 404);
        assertProblem(api().delete(BASE + "/" + uniqueName("nobody") + "/backends/a"), 404);
        assertProblem(api().header("If-Match", "\"3\"").delete(BASE + "/" + name + "/backends/a"), 412);
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"");
    }

    @Test
    void removingTheLastBackendIs409() {
        String name = create("ROUND_ROBIN", backend("a", "http://10.0.0.1:8080", 1), null);
        assertProblem(api().delete(BASE + "/" + name + "/backends/a"), 409)
                .body("violations.field", hasItem("backends"));
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"").body("backends.name", contains("a"));
    }

    @Test
    void leavingFailoverWithOneBackendIs409() {
        String name = create("FAILOVER", backend("a", "http://10.0.0.1:8080", 1), backend("b", "http://10.0.0.2:8080", 1));
        assertProblem(api().delete(BASE + "/" + name + "/backends/b"), 409)
                .body("detail", containsString("FAILOVER needs at least 2 backends"));
    }

    @Test
    void leavingOnlyWeightZeroIs409() {
        String name = create("STICKY_SESSIONS", backend("a", "http://10.0.0.1:8080", 0), backend("b", "http://10.0.0.2:8080", 1));
        assertProblem(api().delete(BASE + "/" + name + "/backends/b"), 409)
                .body("detail", containsString("weight above 0"));
        api().get(BASE + "/" + name).then().header("ETag", "\"0\"");
    }
}
