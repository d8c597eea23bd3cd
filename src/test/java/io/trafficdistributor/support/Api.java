package io.trafficdistributor.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** REST Assured requests to the admin API, authenticated with the test profile's admin token. */
public final class Api {

    public static final String TOKEN = "test-admin-token";

    private Api() {
    }

    /** A request that carries the admin token. */
    public static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    /** A request with a JSON body that carries the admin token. */
    public static RequestSpecification json(String body) {
        return api().contentType("application/json").body(body);
    }
}
