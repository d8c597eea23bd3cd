package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The change history (DESIGN §8): every kind of write recorded, newest first, paged, pruned, deleted with its distributor. */
@QuarkusTest
class RevisionsTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static JsonPath history(String name, String query) {
        return api().get(BASE + "/" + name + "/revisions" + query).then().statusCode(200).extract().jsonPath();
    }

    static void patch(String name, String patch) {
        api().contentType(MERGE_PATCH).body(patch).patch(BASE + "/" + name).then().statusCode(200);
    }

    @Test
    void everyKindOfWriteIsRecordedWithItsDocumentNewestFirst() {
        String name = uniqueName("history");
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        Map<String, Object> replaced = minimal(name);
        replaced.put("backends", List.of(backend("a", "http://10.0.0.1:8080", 3), backend("b", "http://10.0.0.2:8080", 1)));
        api().contentType("application/json").body(replaced).put(BASE + "/" + name).then().statusCode(200);
        patch(name, "{\"enabled\":false}");
        api().contentType(MERGE_PATCH).body("{\"weight\":5}").patch(BASE + "/" + name + "/backends/b").then().statusCode(200);
        api().contentType("application/json").body(backend("c", "http://10.0.0.3:8080", 1))
                .post(BASE + "/" + name + "/backends").then().statusCode(201);
        api().delete(BASE + "/" + name + "/backends/c").then().statusCode(200);
        api().contentType("application/json").body("{\"version\":0}").post(BASE + "/" + name + "/rollback")
                .then().statusCode(200).header("ETag", "\"6\"");
        // Writes that change nothing write no revision.
        patch(name, "{}");
        api().contentType("application/json").body(minimal(name)).put(BASE + "/" + name).then().statusCode(200)
                .header("ETag", "\"6\"");

        JsonPath history = history(name, "");
        assertEquals(7, history.getInt("total"));
        assertEquals(List.of(6, 5, 4, 3, 2, 1, 0), history.getList("items.version"));
        assertEquals(List.of("ROLLBACK", "UPDATE", "UPDATE", "UPDATE", "UPDATE", "UPDATE", "CREATE"),
                history.getList("items.change"));
        // Each revision holds the document that write stored, as GET showed it then.
        assertEquals(List.of(6, 5, 4, 3, 2, 1, 0), history.getList("items.document.version"));
        assertEquals(history.getList("items.document.updatedAt"), history.getList("items.changedAt"));
        assertEquals(List.of("a"), history.getList("items[0].document.backends.name"));
        assertEquals(List.of("a", "b", "c"), history.getList("items[2].document.backends.name"));
        assertEquals(List.of(3, 5), history.getList("items[3].document.backends.weight"));
        assertEquals(false, history.getBoolean("items[4].document.enabled"));
        assertEquals(true, history.getBoolean("items[5].document.enabled"));

        Map<String, Object> three = api().get(BASE + "/" + name + "/revisions/3").then().statusCode(200)
                .body("version", equalTo(3)).body("change", equalTo("UPDATE")).extract().jsonPath().getMap("");
        assertEquals(history.getMap("items[3]"), three);
    }

    @Test
    void aPutThatCreatesIsACreate() {
        String name = uniqueName("history-put");
        api().contentType("application/json").body(minimal(name)).put(BASE + "/" + name).then().statusCode(201);
        JsonPath history = history(name, "");
        assertEquals(1, history.getInt("total"));
        assertEquals(List.of("CREATE"), history.getList("items.change"));
        assertEquals(name, history.getString("items[0].document.name"));
    }

    @Test
    void theHistoryIsPaged() {
        String name = uniqueName("history-pages");
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        for (int i = 0; i < 4; i++) {
            patch(name, "{\"enabled\":" + (i % 2 == 1) + "}");
        }
        JsonPath page = history(name, "?limit=2&offset=1");
        assertEquals(List.of(3, 2), page.getList("items.version"));
        assertEquals(5, page.getInt("total"));
        assertEquals(2, page.getInt("limit"));
        assertEquals(1, page.getInt("offset"));
        assertEquals(List.of(0), history(name, "?limit=2&offset=4").getList("items.version"));
        assertEquals(List.of(), history(name, "?offset=10").getList("items"));
        assertEquals(5, history(name, "?offset=10").getInt("total"));
        assertViolation(api().get(BASE + "/" + name + "/revisions?limit=0"), "limit");
        assertViolation(api().get(BASE + "/" + name + "/revisions?offset=-1"), "offset");
        assertViolation(api().get(BASE + "/" + name + "/revisions?limit=abc"), "limit");
    }

    @Test
    void anUnknownDistributorOrRevisionIs404() {
        String name = uniqueName("history-404");
        assertProblem(api().get(BASE + "/" + name + "/revisions"), 404).body("detail", equalTo("Distributor '" + name + "' does not exist."));
        assertProblem(api().get(BASE + "/" + name + "/revisions/0"), 404);
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        assertProblem(api().get(BASE + "/" + name + "/revisions/1"), 404)
                .body("detail", equalTo("Distributor '" + name + "' has no revision 1."));
        assertProblem(api().get(BASE + "/" + name + "/revisions/-1"), 404);
        assertProblem(api().get(BASE + "/" + name + "/revisions/first"), 404);
        assertProblem(api().get(BASE + "/" + name + "/revisions/99999999999999999999"), 404);
        assertProblem(api().get(BASE + "/NOT%00A%20NAME/revisions"), 404);
    }

    @Test
    void deletingADistributorDeletesItsHistory() {
        String name = uniqueName("history-delete");
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        patch(name, "{\"enabled\":false}");
        api().delete(BASE + "/" + name).then().statusCode(204);
        assertProblem(api().get(BASE + "/" + name + "/revisions"), 404);
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        JsonPath history = history(name, "");
        assertEquals(1, history.getInt("total"));
        assertEquals(List.of("CREATE"), history.getList("items.change"));
        assertEquals(true, history.getBoolean("items[0].document.enabled"));
    }

    @Test
    void onlyTheNewestHundredAreKept() {
        String name = uniqueName("history-keep");
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        for (int i = 1; i <= 104; i++) {
            patch(name, "{\"enabled\":" + (i % 2 == 0) + "}");
        }
        JsonPath newest = history(name, "?limit=1000");
        assertEquals(100, newest.getInt("total")); // td.revisions.keep's default
        List<Integer> versions = newest.getList("items.version");
        assertEquals(100, versions.size());
        assertEquals(104, versions.get(0));
        assertEquals(5, versions.get(99));
        assertProblem(api().get(BASE + "/" + name + "/revisions/4"), 404);
        api().get(BASE + "/" + name + "/revisions/5").then().statusCode(200).body("document.enabled", equalTo(false));
        // A revision pruned away cannot be written back.
        assertProblem(api().contentType("application/json").body("{\"version\":4}").post(BASE + "/" + name + "/rollback"), 404)
                .body("detail", org.hamcrest.Matchers.containsString("no revision 4"));
    }
}
