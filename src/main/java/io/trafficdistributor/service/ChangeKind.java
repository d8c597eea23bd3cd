package io.trafficdistributor.service;

/** What kind of write stored a revision (DESIGN §8). */
public enum ChangeKind {
    /** The distributor was created (POST, or a PUT of a new name). */
    CREATE,
    /** A PUT, PATCH or backend call changed it. */
    UPDATE,
    /** {@code POST …/rollback} wrote an earlier revision back. */
    ROLLBACK,
    /** A step of a gradual weight shift, or the shift restoring its starting weights after an abort. */
    SHIFT
}
