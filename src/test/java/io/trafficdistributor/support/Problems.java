package io.trafficdistributor.support;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/** Assertions on the RFC 9457 problem documents every API error must be. */
public final class Problems {

    public static final String PROBLEM_JSON = "application/problem+json";

    private Problems() {
    }

    /** The answer is the given error status, never a 5xx, with a complete problem+json body. */
    public static ValidatableResponse assertProblem(Response response, int status) {
        return response.then().log().ifValidationFails()
                .statusCode(lessThan(500))
                .statusCode(status)
                .header("Content-Type", startsWith(PROBLEM_JSON))
                .body("status", equalTo(status))
                .body("type", not(emptyOrNullString()))
                .body("title", not(emptyOrNullString()))
                .body("detail", not(emptyOrNullString()));
    }

    /** A 400 problem whose violations name {@code field}. */
    public static ValidatableResponse assertViolation(Response response, String field) {
        return assertProblem(response, 400).body("violations.field", hasItem(field));
    }
}
