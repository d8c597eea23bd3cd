package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Input built to break a parser or a query: every answer is a 4xx problem (or a success), never a 5xx. */
@QuarkusTest
class HostileInputTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static String existing() {
        String name = uniqueName("hostile");
        api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201);
        return name;
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** A request whose body the test's failure log does not pretty-print (that takes depth² memory). */
    static RequestSpecification plain() {
        return api().config(RestAssured.config().logConfig(LogConfig.logConfig().enablePrettyPrinting(false)));
    }

    @Test
    void deeplyNestedJsonIs400() {
        String name = existing();
        String deep = "{\"name\":\"x\",\"extra\":" + nested(100_000) + "}";
        assertProblem(plain().contentType("application/json").body(deep).post(BASE), 400);
        assertProblem(plain().contentType("application/json").body(deep).put(BASE + "/" + name), 400);
        assertProblem(plain().contentType(MERGE_PATCH).body("{\"extra\":" + nested(100_000) + "}").patch(BASE + "/" + name), 400);
        assertProblem(plain().contentType(MERGE_PATCH).body("{\"extra\":" + nested(100_000) + "}")
                .patch(BASE + "/" + name + "/backends/blue"), 400);
        api().get(BASE + "/" + name).then().statusCode(200).body("version", equalTo(0));
    }

    @Test
    void hugeNumbersAre400NamingTheField() {
        String name = existing();
        String digits = "9".repeat(5000);
        Map<String, Object> doc = minimal(uniqueName("hostile-num"));
        String body = "{\"name\":\"" + doc.get("name") + "\",\"hostnames\":[\"" + hostOf((String) doc.get("name"))
                + "\"],\"backends\":[{\"name\":\"a\",\"url\":\"http://10.0.0.1\",\"weight\":" + digits + "}]}";
        assertProblem(api().contentType("application/json").body(body).post(BASE), 400);
        // Past the JSON parser's own limit on digits: refused as unreadable JSON, still a clear 400.
        assertProblem(api().contentType(MERGE_PATCH).body("{\"weight\":" + digits + "}").patch(BASE + "/" + name + "/backends/blue"),
                400).body("detail", org.hamcrest.Matchers.containsString("5000"));
        assertViolation(api().contentType(MERGE_PATCH).body("{\"weight\":1e999999999}").patch(BASE + "/" + name + "/backends/blue"),
                "backends[0].weight");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"healthCheck\":{\"intervalSeconds\":4294967297}}")
                .patch(BASE + "/" + name), "healthCheck.intervalSeconds");
        assertViolation(api().contentType("application/json").body(minimalWith("\"timeouts\":{\"responseMillis\":4294967297}"))
                .post(BASE), "timeouts.responseMillis");
    }

    static String minimalWith(String extra) {
        String name = uniqueName("hostile-doc");
        return "{\"name\":\"" + name + "\",\"hostnames\":[\"" + hostOf(name)
                + "\"],\"backends\":[{\"name\":\"a\",\"url\":\"http://10.0.0.1\"}]," + extra + "}";
    }

    @Test
    void invalidUtf8Is400() {
        byte[] body = { '{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}' };
        assertProblem(api().contentType("application/json").body(body).post(BASE), 400);
        String name = existing();
        byte[] patch = { '{', '"', 'x', (byte) 0xc3, '"', ':', '1', '}' };
        Response response = api().contentType(MERGE_PATCH).body(patch).patch(BASE + "/" + name);
        assertProblem(response, 400);
    }

    @Test
    void thousandsOfHostnamesAre400() {
        String name = uniqueName("hostile-hosts");
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", IntStream.range(0, 10_000).mapToObj(i -> "h" + i + ".example.test").toList());
        assertViolation(api().contentType("application/json").body(doc).post(BASE), "hostnames");
        assertProblem(api().get(BASE + "/" + name), 404);
    }

    @Test
    void longAndOddNamesInTheUrlAreAnswered() {
        String longName = "a".repeat(3000);
        assertProblem(api().get(BASE + "/" + longName), 404);
        assertProblem(api().get(BASE + "/%C3%A4%00x"), 404);
        assertProblem(api().delete(BASE + "/" + longName), 404);
        // PUT creates under the URL's name, so the URL's name must be a valid name.
        Map<String, Object> doc = minimal("x");
        doc.remove("name");
        assertViolation(api().contentType("application/json").body(doc).put(BASE + "/" + longName), "name");
        assertViolation(api().contentType("application/json").body(doc).put(BASE + "/Upper"), "name");
        String name = existing();
        assertProblem(api().contentType(MERGE_PATCH).body(Map.of("weight", 1))
                .patch(BASE + "/" + name + "/backends/" + "b".repeat(2000)), 404);
    }

    @Test
    void oddCertificateNamesInTheUrlAreAnswered() {
        String certificates = "/api/v1/certificates";
        for (String odd : new String[] {"%00", "a%00b", "%C3%A4%00x", "a".repeat(3000)}) {
            assertProblem(api().get(certificates + "/" + odd), 404);
            assertProblem(api().delete(certificates + "/" + odd), 404);
            // PUT creates under the URL's name, so an impossible name is a violation of "name", not a lookup
            assertViolation(api().contentType("application/json")
                    .body(Map.of("certificate", "x", "privateKey", "y")).put(certificates + "/" + odd), "name");
        }
    }

    @Test
    void aLookupOfAHostnameWithManyLabelsIsAnswered() {
        String hostname = "a.".repeat(1800) + "example.test";
        Response response = api().queryParam("hostname", hostname).get(BASE);
        int status = response.statusCode();
        assertTrue(status == 200 || status == 400 || status == 414, "answered " + status);
        if (status == 200) {
            response.then().body("total", equalTo(0));
        }
    }

    @Test
    void nullsWhereValuesBelongAre400() {
        String name = existing();
        assertViolation(api().contentType("application/json").body(minimalWith("\"enabled\":true").replace(
                "[{\"name\":\"a\"", "[null,{\"name\":\"a\"")).post(BASE), "backends[0]");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"hostnames\":[null]}").patch(BASE + "/" + name), "hostnames[0]");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"backends\":[null]}").patch(BASE + "/" + name), "backends[0]");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"backends\":null}").patch(BASE + "/" + name), "backends");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"hostnames\":null}").patch(BASE + "/" + name), "hostnames");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"name\":null}").patch(BASE + "/" + name + "/backends/blue"),
                "backends[0].name");
        assertViolation(api().contentType(MERGE_PATCH).body("{\"url\":null}").patch(BASE + "/" + name + "/backends/blue"),
                "backends[0].url");
        // A removed optional field with a default takes the default again.
        api().contentType(MERGE_PATCH).body("{\"routing\":null,\"stickySession\":null}").patch(BASE + "/" + name)
                .then().statusCode(200).body("routing", equalTo("ROUND_ROBIN")).body("stickySession.cookieName", equalTo("TD_ROUTE"));
        api().contentType(MERGE_PATCH).body("{\"weight\":null}").patch(BASE + "/" + name + "/backends/blue")
                .then().statusCode(200).body("backends[0].weight", equalTo(1));
    }

    @Test
    void reorderingHostnamesAndBackendsIsAnOrdinaryWrite() {
        String name = existing();
        List<String> swapped = List.of("*." + hostOf(name), hostOf(name));
        api().contentType(MERGE_PATCH).body(Map.of("hostnames", swapped)).patch(BASE + "/" + name)
                .then().statusCode(200).body("hostnames", equalTo(swapped));
        Map<String, Object> doc = full(name);
        doc.put("hostnames", List.of(hostOf(name), "*." + hostOf(name)));
        @SuppressWarnings("unchecked")
        List<Object> backends = (List<Object>) doc.get("backends");
        doc.put("backends", List.of(backends.get(1), backends.get(0)));
        api().contentType("application/json").body(doc).put(BASE + "/" + name).then().statusCode(200)
                .body("hostnames[0]", equalTo(hostOf(name)))
                .body("backends.name", equalTo(List.of("green", "blue")));
    }

    @Test
    void aHostnameCanMoveBetweenDistributorsOnceReleased() {
        String from = existing();
        String to = existing();
        String moving = "*." + hostOf(from);
        api().contentType(MERGE_PATCH).body(Map.of("hostnames", List.of(hostOf(from)))).patch(BASE + "/" + from)
                .then().statusCode(200);
        api().contentType(MERGE_PATCH).body(Map.of("hostnames", List.of(hostOf(to), moving))).patch(BASE + "/" + to)
                .then().statusCode(200);
        api().queryParam("hostname", "x." + hostOf(from)).get(BASE).then().statusCode(200)
                .body("items[0].name", equalTo(to));
    }
}
