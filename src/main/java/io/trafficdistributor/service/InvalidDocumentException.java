package io.trafficdistributor.service;

import java.util.List;

/** The document breaks one or more rules; nothing was written. */
public class InvalidDocumentException extends RuntimeException {

    private final transient List<Violation> violations;

    public InvalidDocumentException(List<Violation> violations) {
        super("invalid distributor: " + violations);
        this.violations = List.copyOf(violations);
    }

    public InvalidDocumentException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }
}
