package io.trafficdistributor.api;

import java.io.StringReader;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonMergePatch;
import jakarta.json.JsonValue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trafficdistributor.service.InvalidDocumentException;

/** JSON Merge Patch (RFC 7396) of API documents, by JSON-P's implementation. */
@ApplicationScoped
public class MergePatches {

    @Inject
    ObjectMapper mapper;

    /** Parses a merge patch; it must be a JSON object. */
    public JsonMergePatch parse(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidDocumentException("body", "a merge patch (a JSON object) is required");
        }
        JsonValue patch = read(body);
        if (patch.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidDocumentException("body", "a merge patch must be a JSON object");
        }
        return Json.createMergePatch(patch);
    }

    private static JsonValue read(String body) {
        try (var parser = Json.createParser(new StringReader(body))) {
            if (!parser.hasNext()) {
                throw new MalformedJsonException("no JSON value");
            }
            parser.next();
            JsonValue value = parser.getValue();
            // A reader stops after the first value; anything after it makes the body malformed.
            if (parser.hasNext()) {
                throw new MalformedJsonException("unexpected content after the JSON value");
            }
            return value;
        } catch (MalformedJsonException e) {
            throw e;
        } catch (JsonException e) {
            throw new MalformedJsonException(e.getMessage());
        } catch (RuntimeException e) {
            // Parsson enforces its input limits (nesting depth, digits of a number) with plain runtime exceptions.
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /** The document with the patch applied; fields the patch makes unknown or mistyped fail as a bad request does. */
    public <T> T apply(JsonMergePatch patch, T current, Class<T> type) {
        return apply(patch, current, type, "");
    }

    /** As {@link #apply(JsonMergePatch, Object, Class)}, for a part of a document at {@code fieldPrefix}. */
    public <T> T apply(JsonMergePatch patch, T current, Class<T> type, String fieldPrefix) {
        try {
            JsonValue target;
            try (var reader = Json.createReader(new StringReader(mapper.writeValueAsString(current)))) {
                target = reader.readValue();
            }
            return mapper.readValue(patch.apply(target).toString(), type);
        } catch (JsonProcessingException e) {
            throw new PatchedDocumentException(e, fieldPrefix);
        }
    }

    /** The body is not JSON at all. */
    public static class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String message) {
            super(message);
        }
    }

    /** The patched document is not a valid document (unknown field, wrong type); carries Jackson's error. */
    public static class PatchedDocumentException extends RuntimeException {
        private final String fieldPrefix;

        public PatchedDocumentException(JsonProcessingException cause, String fieldPrefix) {
            super(cause);
            this.fieldPrefix = fieldPrefix;
        }

        public String fieldPrefix() {
            return fieldPrefix;
        }

        public JsonProcessingException jsonError() {
            return (JsonProcessingException) getCause();
        }
    }
}
