package io.trafficdistributor.health;

import static io.trafficdistributor.health.BackendChecks.local;
import static io.trafficdistributor.health.BackendChecks.outcome;
import static io.trafficdistributor.health.BackendChecks.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.HealthCheckType;
import io.vertx.core.Vertx;

/** The TCP check against real sockets, without Quarkus. */
class TcpCheckTest {

    static Vertx vertx;
    static TcpCheck check;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        check = new TcpCheck(ProbeTransport.of(vertx, Optional.empty()));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anOpenPortPasses() throws Exception {
        try (ServerSocket open = new ServerSocket(0)) {
            assertNull(outcome(check.check(local(open.getLocalPort(), ""), settings(HealthCheckType.TCP, "/", "200-399", 4000)),
                    Duration.ofSeconds(5)));
        }
    }

    @Test
    void aClosedPortFails() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertEquals("connection refused or unreachable",
                outcome(check.check(local(closed, ""), settings(HealthCheckType.TCP, "/", "200-399", 4000)), Duration.ofSeconds(5)));
    }
}
