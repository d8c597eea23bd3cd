package io.trafficdistributor.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.trafficdistributor.domain.HealthCheckType;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;

/** Helpers for the plain (no Quarkus) tests of the check types. */
final class BackendChecks {

    private BackendChecks() {
    }

    static ProbeTarget local(int port, String basePath) {
        return new ProbeTarget("http://127.0.0.1:" + port + basePath, SocketAddress.inetSocketAddress(port, "127.0.0.1"),
                "127.0.0.1", port, false, basePath);
    }

    static ProbeSettings settings(HealthCheckType type, String path, String expectedStatuses, int timeoutMillis) {
        return new ProbeSettings(true, type, path, ExpectedStatuses.parse(expectedStatuses), 5, timeoutMillis, 2, 3);
    }

    /** Null when the check passed, else why it failed (as the prober would record it). */
    static String outcome(Future<Void> check, Duration within) throws Exception {
        CompletableFuture<Void> done = check.toCompletionStage().toCompletableFuture();
        try {
            done.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return ConnectFailures.describe(e.getCause(), "127.0.0.1"); // every target here is local
        }
    }
}
