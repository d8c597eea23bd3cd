package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.full;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Inputs PostgreSQL cannot store as given (a NUL, a lone surrogate) or a column cannot hold are a clear 4xx
 * problem, never a 500 and never a silently changed value.
 */
@QuarkusTest
class HostileValuesTest {

    static final String BASE = "/api/v1/distributors";
    static final String MERGE_PATCH = "application/merge-patch+json";

    static String existing() {
        String name = uniqueName("values");
        api().contentType("application/json").body(full(name)).post(BASE).then().statusCode(201);
        return name;
    }

    /** {@code %00} as it goes on the wire, not encoded again by the client. */
    static Response send(String method, String path, Object body, String contentType) {
        var request = api().urlEncodingEnabled(false);
        if (body != null) {
            request.contentType(contentType).body(body);
        }
        return request.request(method, path);
    }

    @ParameterizedTest(name = "NUL in the name: {0}")
    @ValueSource(strings = { "%00", "a%00", "%00a", "a%00b" })
    void aNulInTheNameIsNotFoundOrInvalidNeverA500(String name) {
        Map<String, Object> doc = minimal("x");
        doc.remove("name");
        assertProblem(send("GET", BASE + "/" + name, null, null), 404);
        assertProblem(send("GET", BASE + "/" + name + "/status", null, null), 404);
        assertProblem(send("DELETE", BASE + "/" + name, null, null), 404);
        assertProblem(send("PATCH", BASE + "/" + name, "{\"enabled\":false}", MERGE_PATCH), 404);
        assertViolation(send("PUT", BASE + "/" + name, doc, "application/json"), "name");
        assertProblem(send("PATCH", BASE + "/" + name + "/backends/a", "{\"weight\":0}", MERGE_PATCH), 404);
        assertProblem(send("POST", BASE + "/" + name + "/backends", backend("b", "http://10.0.0.2", 1), "application/json"), 404);
        assertProblem(send("DELETE", BASE + "/" + name + "/backends/a", null, null), 404);
    }

    @Test
    void aNulInABackendNameInThePathIsNotFound() {
        String name = existing();
        assertProblem(send("PATCH", BASE + "/" + name + "/backends/blue%00", "{\"weight\":0}", MERGE_PATCH), 404);
        assertProblem(send("DELETE", BASE + "/" + name + "/backends/%00", null, null), 404);
    }

    @Test
    void aNulInAHostnameLookupIsAnEmptyPage() {
        send("GET", BASE + "?hostname=a%00.test", null, null).then().statusCode(200);
    }

    @Test
    void aBackendUrlLongerThanItsColumnIs400() {
        String url = "http://10.0.0.1/" + "a".repeat(2100);
        Map<String, Object> doc = minimal(uniqueName("long-url"));
        doc.put("backends", List.of(backend("a", url, 1)));
        assertViolation(api().contentType("application/json").body(doc).post(BASE), "backends[0].url")
                .body("violations.message", hasItem(containsString("2048")));
        String name = existing();
        assertViolation(api().contentType(MERGE_PATCH).body(Map.of("url", url)).patch(BASE + "/" + name + "/backends/blue"),
                "backends[0].url");
        assertViolation(api().contentType("application/json").body(backend("c", url, 1)).post(BASE + "/" + name + "/backends"),
                "backends[2].url");
        // 2048 exactly still fits.
        String longest = "http://10.0.0.1/" + "a".repeat(2048 - "http://10.0.0.1/".length());
        api().contentType(MERGE_PATCH).body(Map.of("url", longest)).patch(BASE + "/" + name + "/backends/blue")
                .then().statusCode(200);
    }

    @ParameterizedTest(name = "healthCheck.path with U+{0}")
    @ValueSource(strings = { "0000", "0001", "0009", "000a", "000d", "001b", "007f", "0085", "d800", "dc00" })
    void aControlCharacterOrALoneSurrogateInTheHealthCheckPathIs400(String hex) {
        String json = "{\"healthCheck\":{\"path\":\"/health\\u" + hex + "x\"}}";
        String name = existing();
        assertViolation(api().contentType(MERGE_PATCH).body(json).patch(BASE + "/" + name), "healthCheck.path");
        api().get(BASE + "/" + name).then().body("healthCheck.path", org.hamcrest.Matchers.equalTo("/healthz"));
        String created = "{\"name\":\"" + uniqueName("hc-path") + "\",\"hostnames\":[\"" + uniqueName("hc") + ".test\"],"
                + "\"backends\":[{\"name\":\"a\",\"url\":\"http://10.0.0.1\"}],\"healthCheck\":{\"path\":\"/h\\u" + hex + "\"}}";
        assertViolation(api().contentType("application/json").body(created).post(BASE), "healthCheck.path");
    }

    @ParameterizedTest(name = "backend url with U+{0}")
    @ValueSource(strings = { "0000", "0001", "007f", "d800", "00e4" })
    void aControlCharacterALoneSurrogateOrRawUnicodeInABackendUrlIs400(String hex) {
        String name = existing();
        String json = "{\"url\":\"http://10.0.0.1/a\\u" + hex + "b\"}";
        assertViolation(api().contentType(MERGE_PATCH).body(json).patch(BASE + "/" + name + "/backends/blue"),
                "backends[0].url");
    }
}
