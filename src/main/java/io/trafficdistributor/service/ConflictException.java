package io.trafficdistributor.service;

import java.util.List;

/**
 * The write collides with what is stored: a taken name or hostname, a concurrent write, or a change that would
 * leave the stored distributor breaking a rule ({@link #violations()} names them).
 */
public class ConflictException extends RuntimeException {

    private final List<Violation> violations;

    public ConflictException(String message) {
        this(message, null);
    }

    public ConflictException(String message, List<Violation> violations) {
        super(message);
        this.violations = violations == null ? null : List.copyOf(violations);
    }

    /** The rules the change would break, or null when the conflict is about names. */
    public List<Violation> violations() {
        return violations;
    }
}
