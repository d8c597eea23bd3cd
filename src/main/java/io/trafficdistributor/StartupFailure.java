package io.trafficdistributor;

/**
 * A start-up problem the operator must fix, told in one line without a stack trace: what failed, and which
 * setting or action changes it. The service logs it and exits with status 1.
 */
public final class StartupFailure extends RuntimeException {

    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
