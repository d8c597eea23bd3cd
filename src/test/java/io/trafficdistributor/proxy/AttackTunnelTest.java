package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.metrics;
import static io.trafficdistributor.support.RawHttp.sample;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.RawBackend;
import io.trafficdistributor.support.RawHttp.Client;

/**
 * Upgrades (DESIGN §4, Forwarding): a WebSocket tunnel carries bytes exactly both ways, and gives its connection
 * slot back when either side closes, so tunnels that come and go leave {@code td_proxy_client_connections} where
 * it was.
 */
@QuarkusTest
class AttackTunnelTest {

    static final String HOST = "atk-tunnel.test";
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    static RawBackend backend;
    static boolean created;

    @BeforeAll
    static void start() {
        backend = RawBackend.start("tunnel").echoAfterUpgrade();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        if (!created) {
            create("""
                    {"name":"atk-tunnel","hostnames":["%s"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(HOST, backend.url()));
            created = true;
        }
    }

    static double clientConnections() {
        return sample(metrics(), "td_proxy_client_connections");
    }

    /** Bytes of every value, different for each tunnel. */
    static byte[] payload(int tunnel) {
        byte[] payload = new byte[1000 + 300 * tunnel];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + tunnel);
        }
        return payload;
    }

    /** What the backend received on the tunnel's connection after the upgrade request's head. */
    static byte[] afterHead(byte[] connection) {
        String text = new String(connection, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? new byte[0] : Arrays.copyOfRange(connection, end + 4, connection.length);
    }

    @Test
    void thirtyTunnelsCarryBytesExactlyAndGiveTheirSlotsBackWhicheverSideCloses() {
        double before = clientConnections();
        assertTrue(before >= 0, "td_proxy_client_connections is not in /q/metrics");
        for (int tunnel = 0; tunnel < 30; tunnel++) {
            String path = "/ws/tunnel-" + tunnel;
            byte[] payload = payload(tunnel);
            try (Client client = Client.open()) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
                HttpHead head = client.readHead();
                assertEquals(101, head.status(), head::text);
                assertTrue("websocket".equalsIgnoreCase(head.value("Upgrade")), head::text);
                if (tunnel == 0) {
                    assertTrue(clientConnections() >= before + 1, "an open tunnel is not counted as a client connection");
                }

                // The upgrade went to the backend as the client asked for it.
                byte[] received = backend.connection(path);
                assertNotNull(received, "the backend did not get " + path);
                HttpHead upgrade = new HttpHead(new String(received, StandardCharsets.ISO_8859_1)
                        .substring(0, new String(received, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4));
                assertEquals("GET " + path + " HTTP/1.1", upgrade.startLine());
                assertTrue("websocket".equalsIgnoreCase(upgrade.value("Upgrade")), upgrade::text);
                assertTrue(String.valueOf(upgrade.value("Connection")).toLowerCase().contains("upgrade"), upgrade::text);
                assertEquals(KEY, upgrade.value("Sec-WebSocket-Key"), upgrade::text);

                // Client to backend, byte for byte; the backend echoes, so backend to client too.
                client.send(payload);
                byte[] echoed = readExactly(client, payload.length);
                assertArrayEquals(payload, echoed, "the echo through tunnel " + tunnel);
                await().atMost(Duration.ofSeconds(5)).until(() -> afterHead(backend.connection(path)).length >= payload.length);
                assertArrayEquals(payload, afterHead(backend.connection(path)), "what the backend got through tunnel " + tunnel);

                if (tunnel % 2 == 0) {
                    client.close();
                    await().atMost(Duration.ofSeconds(5)).until(() -> backend.ended(path));
                } else {
                    assertTrue(backend.closeConnection(path));
                    ByteArrayOutputStream rest = new ByteArrayOutputStream();
                    assertTrue(client.closedWithin(Duration.ofSeconds(5), rest),
                            "the client's side of tunnel " + tunnel + " stayed open after the backend closed");
                    assertEquals(0, rest.size(), "bytes after the backend closed tunnel " + tunnel);
                }
            }
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            double now = clientConnections();
            assertTrue(now <= before, "td_proxy_client_connections " + now + ", before the tunnels " + before);
        });
    }

    private static byte[] readExactly(Client client, int length) {
        try {
            byte[] bytes = client.in().readNBytes(length);
            assertEquals(length, bytes.length, "the tunnel closed early");
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
