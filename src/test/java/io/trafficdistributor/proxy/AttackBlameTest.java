package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.assertRefusedAndClosed;
import static io.trafficdistributor.support.RawHttp.consecutiveFailures;
import static io.trafficdistributor.support.RawHttp.exchange;
import static io.trafficdistributor.support.RawHttp.health;
import static io.trafficdistributor.support.RawHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Client;
import io.trafficdistributor.support.RawHttp.Exchange;
import io.trafficdistributor.support.RawHttp.Response;

/**
 * Blame (DESIGN §4): only what a backend did counts against its health. A FAILOVER distributor (primary, standby;
 * probes on {@code /health} once at creation and then every 30 s, {@code unhealthyThreshold} 3) gets malformed
 * bodies and clients that hang up mid-upload: none of it makes the primary DOWN or counts a failure, none of it is
 * retried on the standby, and ordinary traffic stays on the primary.
 */
@QuarkusTest
class AttackBlameTest {

    static final int KIB = 1024;

    /** Bad chunked bodies small enough to be buffered before a backend is chosen. */
    static final List<String> SMALL_BAD_BODIES = List.of(
            "zz\r\nhello\r\n0\r\n\r\n",
            "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
            "5\nhello\n0\n\n",
            "5;" + "x".repeat(10_000) + "\r\nhello\r\n0\r\n\r\n", // longer than td.proxy.max-request-line
            "5\r\nhelloXX0\r\n\r\n",
            "-5\r\nhello\r\n0\r\n\r\n",
            "\r\nhello\r\n0\r\n\r\n",
            "5\r\nhello\r\n\r\n");

    /** A FAILOVER distributor of {@code primary} then {@code standby}, both UP by their first probe. */
    static String distributor(String name, RawBackend primary, RawBackend standby) {
        create("""
                {"name":"%s","hostnames":["%s.test"],"routing":"FAILOVER",
                 "backends":[{"name":"primary","url":"%s"},{"name":"standby","url":"%s"}],
                 "healthCheck":{"path":"/health","intervalSeconds":30,"timeoutMillis":1000,
                                "healthyThreshold":1,"unhealthyThreshold":3}}"""
                .formatted(name, name, primary.url(), standby.url()));
        await().atMost(Duration.ofSeconds(10)).until(
                () -> "UP".equals(health(name, "primary")) && "UP".equals(health(name, "standby")));
        return name + ".test";
    }

    /** The primary is UP with no failure counted, for a second; the next 10 requests are all its. */
    static void assertThePrimaryIsStillTrusted(String name, RawBackend primary, RawBackend standby) {
        await().pollDelay(Duration.ofMillis(200)).during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> "UP".equals(health(name, "primary")) && consecutiveFailures(name, "primary") == 0);
        int before = primary.requests().size();
        for (int i = 0; i < 10; i++) {
            Response response = request("GET /normal-" + i + " HTTP/1.1\r\nHost: " + name + ".test\r\nConnection: close\r\n\r\n");
            assertEquals(200, response.status(), response::toString);
            assertEquals("primary", response.text(), "request " + i + " was not served by the primary");
        }
        assertEquals(before + 10, primary.requests().size());
        assertEquals(0, standby.accepted(), () -> "the standby got traffic:\n" + standby.receivedText());
    }

    @Test
    void malformedRequestBodiesAreNotTheBackendsFailure() {
        try (RawBackend primary = RawBackend.start("primary"); RawBackend standby = RawBackend.start("standby")) {
            String host = distributor("atk-blame-body", primary, standby);

            for (int i = 0; i < SMALL_BAD_BODIES.size(); i++) {
                Exchange exchange = exchange("POST /bad-body-" + i + " HTTP/1.1\r\nHost: " + host
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + SMALL_BAD_BODIES.get(i));
                assertRefusedAndClosed(exchange, 400);
            }
            // A bare CR in a chunk-size line: Netty's decoder reads the size up to it and then waits for data that
            // never comes, so the client gets the body timeout's 408 rather than a 400. Either way it is refused,
            // the connection is closed and nothing is forwarded (the proxy re-frames every body it sends, so a
            // backend never sees the client's ambiguous framing).
            Exchange bareCr = exchange("POST /bad-body-cr HTTP/1.1\r\nHost: " + host
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n");
            int status = bareCr.response().status();
            assertTrue(status == 400 || status == 408, () -> bareCr.response().toString());
            assertRefusedAndClosed(bareCr, status);
            String received = primary.receivedText();
            assertFalse(received.contains("/bad-body-"), () -> "a small bad body was forwarded:\n" + received);

            // Larger than the request buffer: 100 KiB of good chunks stream to the primary before the bad one.
            StringBuilder large = new StringBuilder("POST /bad-large-body HTTP/1.1\r\nHost: " + host
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 100; i++) {
                large.append("400\r\n").append("v".repeat(KIB)).append("\r\n");
            }
            large.append("zz\r\nAFTER-THE-BAD-CHUNK\r\n0\r\n\r\n");
            assertRefusedAndClosed(exchange(large.toString()), 400);
            byte[] forwarded = primary.connection("/bad-large-body");
            if (forwarded != null) {
                String text = new String(forwarded, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("AFTER-THE-BAD-CHUNK") || text.contains("zz\r\n"),
                        "the bad chunk reached the backend");
                // The proxy gave up that backend request rather than leave it waiting for the rest.
                await().atMost(Duration.ofSeconds(5)).until(() -> primary.ended("/bad-large-body"));
            }

            assertThePrimaryIsStillTrusted("atk-blame-body", primary, standby);
        }
    }

    @Test
    void aClientThatHangsUpMidUploadIsNotTheBackendsFailure() {
        try (RawBackend primary = RawBackend.start("primary"); RawBackend standby = RawBackend.start("standby")) {
            String host = distributor("atk-blame-hangup", primary, standby);
            byte[] part = "u".repeat(200 * KIB).getBytes(StandardCharsets.ISO_8859_1);
            List<String> markers = new ArrayList<>();
            // As many as the unhealthy threshold, half closed politely, half reset.
            for (int i = 0; i < 4; i++) {
                String marker = "/hang-up-" + i;
                markers.add(marker);
                Client client = Client.open();
                client.send("PUT " + marker + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1000000\r\n\r\n");
                client.send(part);
                // The upload streams (it is larger than the request buffer): wait until it reaches the primary.
                await().atMost(Duration.ofSeconds(5)).until(() -> primary.connection(marker) != null);
                if (i % 2 == 0) {
                    client.close();
                } else {
                    client.reset();
                }
            }
            for (String marker : markers) {
                // The proxy ends the half-sent backend request rather than leave it waiting for the rest...
                await().atMost(Duration.ofSeconds(5)).until(() -> primary.ended(marker));
                // ...having forwarded no more than the client sent.
                String text = new String(primary.connection(marker), StandardCharsets.ISO_8859_1);
                String body = text.substring(text.indexOf("\r\n\r\n") + 4);
                assertTrue(body.length() <= part.length && body.chars().allMatch(c -> c == 'u'),
                        marker + ": the backend got " + body.length() + " body bytes of " + part.length + " sent");
            }
            assertThePrimaryIsStillTrusted("atk-blame-hangup", primary, standby);
        }
    }
}
