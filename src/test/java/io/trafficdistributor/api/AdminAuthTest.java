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

/** With td.admin.token set (the test profile sets it), /api needs the bearer token; /q/health does not. */
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
            "Bearer ", "Bearer", "test-admin-token", "Basic dGVzdDp0ZXN0LWFkbWluLXRva2Vu", "bearer  test-admin-token", "" })
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

    @Test
    void healthStaysOpenWithoutAToken() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
