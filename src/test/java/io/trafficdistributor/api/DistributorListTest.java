package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The list: pages, totals, and the hostname lookup with wildcard precedence. */
@QuarkusTest
class DistributorListTest {

    static final String BASE = "/api/v1/distributors";

    static void create(String name, String... hostnames) {
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", List.of(hostnames));
        api().contentType("application/json").body(doc).post(BASE).then().statusCode(201);
    }

    static JsonPath lookup(String hostname) {
        return api().queryParam("hostname", hostname).get(BASE).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void listAnswersAPageWithItsTotalLimitAndOffset() {
        String name = uniqueName("list-default");
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        api().get(BASE).then().statusCode(200)
                .header("Content-Type", org.hamcrest.Matchers.startsWith("application/json"))
                .body("limit", equalTo(50))
                .body("offset", equalTo(0))
                .body("total", greaterThanOrEqualTo(1))
                .body("items.size()", org.hamcrest.Matchers.lessThanOrEqualTo(50));
    }

    @Test
    void pagingThroughTheListVisitsEveryDistributorOnceAndTotalCountsThemAll() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = uniqueName("list-page");
            api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
            mine.add(name);
        }
        int total = api().get(BASE).then().statusCode(200).extract().jsonPath().getInt("total");
        assertTrue(total >= 5);

        List<String> seen = new ArrayList<>();
        for (int offset = 0; offset < total; offset += 2) {
            JsonPath page = api().queryParam("limit", 2).queryParam("offset", offset).get(BASE)
                    .then().statusCode(200)
                    .body("limit", equalTo(2))
                    .body("offset", equalTo(offset))
                    .body("total", equalTo(total))
                    .extract().jsonPath();
            List<String> names = page.getList("items.name");
            assertEquals(Math.min(2, total - offset), names.size(), "page at offset " + offset);
            seen.addAll(names);
        }
        Set<String> unique = new HashSet<>(seen);
        assertEquals(seen.size(), unique.size(), "no distributor on two pages");
        assertEquals(total, seen.size());
        assertTrue(unique.containsAll(mine), "every distributor is on some page");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen, "pages are in a stable (name) order");

        // Past the end: an empty page, same total.
        api().queryParam("offset", total).get(BASE).then().statusCode(200)
                .body("items", empty()).body("total", equalTo(total));
        // limit=1 gives exactly one item.
        api().queryParam("limit", 1).get(BASE).then().statusCode(200).body("items.size()", equalTo(1));
        api().queryParam("limit", 1000).get(BASE).then().statusCode(200).body("limit", equalTo(1000));
    }

    @ParameterizedTest(name = "limit={0} -> 400")
    @ValueSource(strings = { "0", "-1", "1001", "abc", "1.5", "99999999999", " 5" })
    void aBadLimitIs400(String limit) {
        assertViolation(api().queryParam("limit", limit).get(BASE), "limit");
    }

    @ParameterizedTest(name = "offset={0} -> 400")
    @ValueSource(strings = { "-1", "x", "2.0", "99999999999" })
    void aBadOffsetIs400(String offset) {
        assertViolation(api().queryParam("offset", offset).get(BASE), "offset");
    }

    @Test
    void hostnameLookupPrefersExactThenTheLongestWildcard() {
        String domain = uniqueName("lookup") + ".example.test";
        String exact = uniqueName("lookup-exact");
        String longWild = uniqueName("lookup-long");
        String shortWild = uniqueName("lookup-short");
        create(shortWild, "*." + domain);
        create(longWild, "*.b." + domain);
        create(exact, "a.b." + domain);

        // Exact beats every wildcard.
        api().queryParam("hostname", "a.b." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(exact)).body("total", equalTo(1));
        // The longer wildcard beats the shorter one.
        api().queryParam("hostname", "x.b." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(longWild)).body("total", equalTo(1));
        api().queryParam("hostname", "deep.x.b." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(longWild));
        // Only the shorter wildcard covers this one.
        api().queryParam("hostname", "x.c." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(shortWild));
        // A wildcard does not match the name it is made from.
        api().queryParam("hostname", "b." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(shortWild));
        api().queryParam("hostname", domain).get(BASE).then().statusCode(200)
                .body("items", empty()).body("total", equalTo(0));
        // Case and a port-less name: lookups are normalised like stored names.
        api().queryParam("hostname", "A.B." + domain.toUpperCase()).get(BASE).then().statusCode(200)
                .body("items.name", contains(exact));
        // The whole document comes back, not only the name.
        assertEquals(List.of("a.b." + domain), lookup("a.b." + domain).getList("items[0].hostnames"));

        // Once the exact owner is gone, the longer wildcard serves that name.
        api().delete(BASE + "/" + exact).then().statusCode(204);
        api().queryParam("hostname", "a.b." + domain).get(BASE).then().statusCode(200)
                .body("items.name", contains(longWild));
    }

    @Test
    void hostnameLookupOfAnUnservedNameIsAnEmptyPage() {
        api().queryParam("hostname", uniqueName("nobody") + ".example.test").get(BASE).then().statusCode(200)
                .body("items", empty()).body("total", equalTo(0)).body("limit", equalTo(50)).body("offset", equalTo(0));
    }

    @ParameterizedTest(name = "hostname=''{0}'' is never a 5xx")
    @ValueSource(strings = { " ", "*", "*.", ".", "..", "a..b", "-", "ä", "xn--", "a b", "%00", "*.*", "x:80",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test" })
    void oddHostnameLookupsAreAnswered(String hostname) {
        int status = api().queryParam("hostname", hostname).get(BASE).then().extract().statusCode();
        assertTrue(status == 200 || status == 400, "hostname '" + hostname + "' answered " + status);
        if (status == 200) {
            api().queryParam("hostname", hostname).get(BASE).then().body("items", empty());
        } else {
            io.trafficdistributor.support.Problems.assertProblem(api().queryParam("hostname", hostname).get(BASE), 400);
        }
    }
}
