package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The list's {@code ?q=} search (the console's search box): name or hostname prefix, paged, by name. */
@QuarkusTest
class DistributorSearchTest {

    static final String BASE = "/api/v1/distributors";

    static void create(String name, String... hostnames) {
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", List.of(hostnames));
        api().contentType("application/json").body(doc).post(BASE).then().statusCode(201);
    }

    static JsonPath search(String q, int limit, int offset) {
        return api().queryParam("q", q).queryParam("limit", limit).queryParam("offset", offset).get(BASE)
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void findsByNamePrefixOrHostnamePrefixOnceEachByNameAndPaged() {
        String prefix = uniqueName("srch");
        create(prefix + "-b", "b." + prefix + ".test");
        create(prefix + "-a", "a." + prefix + ".test");
        create(prefix + "-c", "c." + prefix + ".test");
        // Matched by a hostname only: its name starts differently.
        String other = uniqueName("other");
        create(other, prefix + "-via-host.test");
        // Matched by name and by hostname: listed once.
        create(prefix + "-d", prefix + "-d.test");

        JsonPath all = search(prefix, 50, 0);
        assertEquals(5, all.getInt("total"));
        assertEquals(List.of(other, prefix + "-a", prefix + "-b", prefix + "-c", prefix + "-d").stream().sorted().toList(),
                all.getList("items.name"));

        JsonPath second = search(prefix.toUpperCase(), 2, 2);
        assertEquals(5, second.getInt("total"));
        assertEquals(2, second.getInt("limit"));
        assertEquals(2, second.getInt("offset"));
        assertEquals(all.getList("items.name").subList(2, 4), second.getList("items.name"));

        // A hostname prefix with its dots
        assertEquals(List.of(prefix + "-a"), search("a." + prefix, 50, 0).getList("items.name"));
    }

    @Test
    void likeWildcardsAndTextNoNameCanHoldMatchNothing() {
        String prefix = uniqueName("wild");
        create(prefix + "-x", prefix + ".test");
        assertEquals(0, search("_", 50, 0).getInt("total"), "'_' is a character here, not LIKE's any-one");
        assertEquals(0, search("%", 50, 0).getInt("total"));
        assertEquals(0, search("a\u0000b", 50, 0).getInt("total"));
        assertEquals(0, search("é", 50, 0).getInt("total"));
        assertEquals(1, search(prefix, 50, 0).getInt("total"));
    }

    @Test
    void qWithHostnameIsABadRequest() {
        assertViolation(api().queryParam("q", "a").queryParam("hostname", "a.test").get(BASE), "q");
    }
}
