package io.trafficdistributor.service;

/** Where a gradual shift stands. Every state but RUNNING is final. */
public enum ShiftState {
    /** Steps are still to come. */
    RUNNING,
    /** The last step wrote the target weights. */
    COMPLETED,
    /** {@code DELETE …/shift} stopped it; the weights stay where the last step left them. */
    STOPPED,
    /** Someone else wrote the distributor meanwhile, or a step could not be written; the weights stay as they are. */
    CANCELLED,
    /** A backend gaining weight went DOWN ({@code abortOnDown}); the starting weights were written back. */
    ABORTED
}
