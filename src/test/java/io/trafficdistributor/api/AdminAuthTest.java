package io.trafficdistributor.api;

import static io.restassured.RestAssured.given;
import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * With td.admin.token set (the test profile sets it), /api, /q/metrics, /q/openapi and Swagger UI need the bearer
 * token; /q/health does not.
 */
@QuarkusTest
class AdminAuthTest {

    static final String BASE = "/api/v1/distributors";

    @Test
    void noAuthorizationIs401WithAChallenge() {
        assertProblem(given().get(BASE), 401)
                .header("WWW-Authenticate", containsString("Bearer"));
    }

    @ParameterizedTest(name = "Authorization ''{0}'' -> 401")
    @ValueSource(strings = { "Bearer wrong-token", "Bearer test-admin-token-and-more", "Bearer test-admin-toke",
            "Bearer ", "Bearer", "test-admin-token", "Basic dGVzdDp0ZXN0LWFkbWluLXRva2Vu", "Bearertest-admin-token", "Bearer\ttest-admin-token",
            "Bearer test-admin-token x", "Token test-admin-token", "" })
    void aWrongTokenIs401(String authorization) {
        assertProblem(given().header("Authorization", authorization).get(BASE), 401)
                .header("WWW-Authenticate", containsString("Bearer"));
    }

    @Test
    void everyEndpointNeedsTheToken() {
        String name = uniqueName("auth");
        assertProblem(given().contentType("application/json").body(minimal(name)).post(BASE), 401);
        assertProblem(given().contentType("application/json").body(minimal(name)).put(BASE + "/" + name), 401);
        assertProblem(api().get(BASE + "/" + name), 404); // nothing was created without the token
        api().contentType("application/json").body(minimal(name)).post(BASE).then().statusCode(201);
        assertProblem(given().get(BASE + "/" + name), 401);
        assertProblem(given().get(BASE + "/" + name + "/status"), 401);
        assertProblem(given().get(BASE + "/" + name + "/traffic"), 401);
        assertProblem(given().contentType("application/merge-patch+json").body("{\"enabled\":false}").patch(BASE + "/" + name), 401);
        assertProblem(given().contentType("application/merge-patch+json").body("{\"weight\":0}")
                .patch(BASE + "/" + name + "/backends/a"), 401);
        assertProblem(given().delete(BASE + "/" + name), 401);
        // Unknown paths under /api reveal nothing without the token.
        assertProblem(given().get("/api/v2/anything"), 401);
        api().get(BASE + "/" + name).then().statusCode(200).body("enabled", equalTo(true));
    }

    @Test
    void theRightTokenIsAccepted() {
        api().get(BASE).then().statusCode(200);
    }

    /** The scheme is case-insensitive and followed by one or more spaces (RFC 9110 §11.4: auth-scheme 1*SP token68). */
    @ParameterizedTest(name = "Authorization ''{0}'' -> 200")
    @ValueSource(strings = { "bearer test-admin-token", "BEARER test-admin-token", "bEaReR test-admin-token",
            "Bearer  test-admin-token", " Bearer test-admin-token " })
    void theSchemeIsCaseInsensitive(String authorization) {
        given().header("Authorization", authorization).get(BASE).then().statusCode(200);
    }

    /** Prometheus scrapes /q/metrics with a bearer token; the OpenAPI document and Swagger UI name every operation. */
    @ParameterizedTest(name = "{0} needs the token")
    @ValueSource(strings = { "/q/metrics", "/q/openapi", "/q/openapi?format=json", "/q/swagger-ui", "/q/swagger-ui/",
            "/q/swagger-ui/index.html", "/q/metrics/", "//q/metrics", "/q/./metrics", "/q/health/../metrics",
            "/q/anything-else", "/%71/metrics", "/q/%6detrics", "/%61pi/v1/distributors", "/api/v1/%64istributors" })
    void theManagementRoutesNeedTheToken(String path) {
        assertProblem(given().redirects().follow(false).urlEncodingEnabled(false).get(path), 401)
                .header("WWW-Authenticate", containsString("Bearer"));
        assertProblem(given().redirects().follow(false).urlEncodingEnabled(false)
                .header("Authorization", "Bearer wrong-token").get(path), 401);
    }

    @ParameterizedTest(name = "{0} with the token")
    @ValueSource(strings = { "/q/metrics", "/q/openapi", "/q/swagger-ui" })
    void theManagementRoutesAnswerWithTheToken(String path) {
        given().header("Authorization", "Bearer " + io.trafficdistributor.support.Api.TOKEN).get(path)
                .then().statusCode(200);
        given().header("Authorization", "bearer " + io.trafficdistributor.support.Api.TOKEN).get(path)
                .then().statusCode(200);
    }

    @Test
    void metricsAreScrapedWithABearerToken() {
        api().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE"));
    }

    @Test
    void healthStaysOpenWithoutAToken() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().header("Authorization", "Bearer wrong-token").get("/q/health/ready").then().statusCode(200);
    }
}
