package io.trafficdistributor.api;

import java.util.List;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.trafficdistributor.service.Violation;

/** An RFC 9457 problem document, the body of every error the API answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Violation> violations) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);
    private static final String TYPE_PREFIX = "urn:traffic-distributor:problem:";

    public static Problem of(Response.StatusType status, String slug, String detail) {
        return new Problem(TYPE_PREFIX + slug, status.getReasonPhrase(), status.getStatusCode(), detail, null);
    }

    public static Problem invalid(String detail, List<Violation> violations) {
        return new Problem(TYPE_PREFIX + "validation", "Bad Request", 400, detail, violations);
    }

    public Problem withViolations(List<Violation> list) {
        return new Problem(type, title, status, detail, list);
    }

    public Response toResponse() {
        return Response.status(status).type(PROBLEM_JSON).entity(this).build();
    }
}
