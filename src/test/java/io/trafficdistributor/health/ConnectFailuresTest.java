package io.trafficdistributor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

/** A backend whose host does not resolve is reported as such, not by the resolver's bare message. */
class ConnectFailuresTest {

    @Test
    void anUnresolvableHostSaysSo() {
        // Vert.x's resolver reports the bare name; Netty's DNS resolver "Failed to resolve 'x' after 2 queries".
        assertEquals("cannot resolve standby.example.net",
                ConnectFailures.unresolved(new UnknownHostException("standby.example.net"), "standby.example.net"));
        assertEquals("cannot resolve standby.example.net", ConnectFailures.unresolved(
                new CompletionException(new UnknownHostException("Failed to resolve 'standby.example.net' after 2 queries")),
                "standby.example.net"));
    }

    @Test
    void otherFailuresAreNotResolveFailures() {
        assertNull(ConnectFailures.unresolved(new ConnectException("Connection refused"), "h"));
        assertNull(ConnectFailures.unresolved(new IllegalStateException("x"), "h"));
    }

    /** What the prober records as the backend's lastError (shown in the status view and the transition's log line). */
    @Test
    void theProberRecordsIt() {
        assertEquals("cannot resolve standby.example.net",
                ConnectFailures.describe(new UnknownHostException("standby.example.net"), "standby.example.net"));
        assertEquals("connection refused or unreachable", ConnectFailures.describe(new ConnectException("refused"), "h"));
    }

    @Test
    void theProxyAndTheProberDescribeAFailedConnectAlike() {
        assertEquals("connection refused or unreachable", ConnectFailures.describe(
                new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:1"), "127.0.0.1"));
        assertEquals("connect timed out", ConnectFailures.describe(
                new io.netty.channel.ConnectTimeoutException("connection timed out after 500 ms: /10.0.0.1:80"), "10.0.0.1"));
        assertEquals("Network is unreachable", ConnectFailures.describe(
                new java.io.IOException("finishConnect(..) failed: Network is unreachable"), "10.0.0.1"));
        assertEquals("IllegalStateException", ConnectFailures.describe(new IllegalStateException(), "h"));
    }
}
