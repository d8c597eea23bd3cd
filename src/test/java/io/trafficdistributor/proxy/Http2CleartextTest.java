package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.RawH2;
import io.trafficdistributor.support.TestBackend;

/**
 * h2c with prior knowledge on the plain port ({@code td.proxy.h2c=true}), HTTP/1.1 beside it on the same port, and
 * the drain of an HTTP/2 connection: GOAWAY, then its stream in flight is answered. The drain closes the listeners,
 * so it runs last, in a service of its own (this profile).
 */
@QuarkusTest
@TestProfile(Http2CleartextTest.H2c.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Http2CleartextTest {

    public static class H2c implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("td.proxy.h2c", "true");
        }
    }

    static final String HOST = "h2c.test";
    static TestBackend backend;
    static boolean created;

    @Inject
    @org.eclipse.microprofile.health.Readiness
    ProxyServer server;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("h2c");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        if (!created) {
            created = true;
            create("""
                    {"name":"h2c","hostnames":["%s"],"backends":[{"name":"a","url":"%s"}],"healthCheck":{"enabled":false}}"""
                    .formatted(HOST, backend.url()));
        }
    }

    @Test
    @Order(1)
    void thePrefaceMakesAPlainConnectionHttp2AndHttp11StillWorksOnThePort() throws Exception {
        try (RawH2 client = RawH2.plain(ProxyClient.port())) {
            client.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/x", ":authority", HOST);
            client.flush();
            RawH2.Response response = client.response(1);
            assertEquals(200, response.status());
            assertEquals("h2c", response.body());
        }
        assertEquals("http", backend.lastReceived().headers().get("X-Forwarded-Proto"));
        assertEquals("h2c", ProxyClient.get(HOST, "/").body());
        // Upgrade: h2c is not honoured: an HTTP/1.1 request like any other.
        String raw = ProxyTestSupport.raw("GET / HTTP/1.1\r\nHost: " + HOST
                + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
    }

    @Test
    @Order(2)
    void aDrainSendsGoAwayAndTheStreamInFlightIsAnswered() throws Exception {
        try (RawH2 client = RawH2.plain(ProxyClient.port())) {
            client.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/?delay=1000", ":authority", HOST);
            client.flush();
            Thread.sleep(300); // the stream is with the backend
            CompletableFuture.runAsync(() -> ClientProxy.unwrap(server).connections().drain());
            RawH2.Frame goAway = client.untilGoAway();
            assertNotNull(goAway, "no GOAWAY");
            assertEquals(RawH2.NO_ERROR, goAway.errorCode());
            RawH2.Response response = client.response(1);
            assertEquals(200, response.status());
            assertEquals("h2c", response.body());
            assertTrue(client.closedByServer());
        }
    }
}
