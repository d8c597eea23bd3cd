package io.trafficdistributor.api;

import java.util.List;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.trafficdistributor.service.ConflictException;
import io.trafficdistributor.service.DatabaseUnavailable;
import io.trafficdistributor.service.InvalidDocumentException;
import io.trafficdistributor.service.NotFoundException;
import io.trafficdistributor.service.PreconditionFailedException;
import io.trafficdistributor.service.Violation;

/** Every error of the API as application/problem+json. A 500 from here is a bug, and is logged as one. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    static final String DATABASE_RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response invalid(InvalidDocumentException e) {
        return Problem.invalid("The request breaks " + e.violations().size() + " rule(s); see violations.",
                e.violations()).toResponse();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.of(Status.NOT_FOUND, "not-found", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        Problem problem = Problem.of(Status.CONFLICT, "conflict", e.getMessage());
        return (e.violations() == null ? problem : problem.withViolations(e.violations())).toResponse();
    }

    @ServerExceptionMapper
    public Response preconditionFailed(PreconditionFailedException e) {
        return Problem.of(Status.PRECONDITION_FAILED, "stale-version", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return jsonProblem(e, "");
    }

    /**
     * Needed besides {@link #badJson}: quarkus-rest-jackson ships a built-in mapper for this more specific type
     * (unknown field, wrong type, bad enum value), which would otherwise answer with plain JSON and no violations.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return jsonProblem(e, "");
    }

    @ServerExceptionMapper
    public Response malformedPatch(MergePatches.MalformedJsonException e) {
        return Problem.of(Status.BAD_REQUEST, "malformed-json", "The body is not valid JSON: " + e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response badPatch(MergePatches.PatchedDocumentException e) {
        return jsonProblem(e.jsonError(), e.fieldPrefix());
    }

    /** A body that is not JSON, or JSON that does not fit the document: which field, and what it must be. */
    static Response jsonProblem(JsonProcessingException e, String prefix) {
        if (e instanceof InputCoercionException number) {
            // Valid JSON, but a number too large for its field; the parser knows where it stood.
            String path = JsonPaths.of(number);
            String field = prefix.isEmpty() ? (path.isEmpty() ? "body" : path) : (path.isEmpty() ? prefix : prefix + "." + path);
            return Problem.invalid("Field '" + field + "' is invalid.",
                    List.of(new Violation(field, "is out of range"))).toResponse();
        }
        if (!(e instanceof JsonMappingException mapping)) {
            return Problem.of(Status.BAD_REQUEST, "malformed-json", "The body is not valid JSON: " + e.getOriginalMessage())
                    .toResponse();
        }
        String path = JsonPaths.of(mapping);
        if (path.isEmpty()) {
            return Problem.invalid("The body must be a JSON object.",
                    List.of(new Violation(prefix.isEmpty() ? "body" : prefix, "must be a JSON object"))).toResponse();
        }
        String field = prefix.isEmpty() ? path : prefix + "." + path;
        String message;
        if (e instanceof UnrecognizedPropertyException unknown) {
            message = "unknown field; known fields are " + unknown.getKnownPropertyIds();
        } else if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            message = "must be one of " + List.of(f.getTargetType().getEnumConstants());
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            message = "must be " + JsonPaths.typeName(m.getTargetType());
        } else {
            message = "is invalid: " + e.getOriginalMessage();
        }
        return Problem.invalid("Field '" + field + "' is invalid.", List.of(new Violation(field, message))).toResponse();
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // The JSON body reader wraps parse errors (malformed JSON, a number out of range) in a bare 400.
            return jsonProblem(json, "");
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("API request failed", e);
            return Problem.of(status, "internal", "The request failed inside the service.").toResponse();
        }
        String detail = switch (status.getStatusCode()) {
            case 404 -> "There is no such resource.";
            case 405 -> "This resource does not support that method.";
            case 406 -> "This resource answers only application/json.";
            case 413 -> "The request body is larger than the 1 MiB limit.";
            case 415 -> "Send the body as application/json"
                    + " (application/merge-patch+json for PATCH).";
            default -> e.getMessage();
        };
        return Problem.of(status, slug(status), detail).toResponse();
    }

    @ServerExceptionMapper
    public Response bug(Exception e) {
        if (DatabaseUnavailable.causedBy(e)) {
            LOG.warnf("API request answered 503: PostgreSQL is unavailable (%s)", rootMessage(e));
            return Response.fromResponse(Problem.of(Status.SERVICE_UNAVAILABLE, "database-unavailable",
                    "The database is unavailable, so the configuration cannot be read or changed now; the proxy keeps "
                            + "routing with the configuration it has. Retry later.").toResponse())
                    .header("Retry-After", DATABASE_RETRY_AFTER_SECONDS).build();
        }
        LOG.error("Unexpected error answering an API request", e);
        return Problem.of(Status.INTERNAL_SERVER_ERROR, "internal", "The request failed inside the service.").toResponse();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String slug(Response.StatusType status) {
        return status.getReasonPhrase().toLowerCase().replaceAll("[^a-z0-9]+", "-");
    }
}
