package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.forwardedHead;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.RawBackend;

/**
 * Forwarded headers from a trusted proxy ({@code td.proxy.trusted-proxies=127.0.0.1/32}): what it says is kept and
 * this hop is appended, in both {@code X-Forwarded-For} and RFC 7239 {@code Forwarded} (DESIGN §4).
 */
@QuarkusTest
@TestProfile(TrustedProxyForwardedHeadersTest.TrustedLoopback.class)
class TrustedProxyForwardedHeadersTest {

    /** The test client (127.0.0.1) is a trusted proxy. */
    public static class TrustedLoopback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("td.proxy.trusted-proxies", "127.0.0.1/32");
        }
    }

    static final String HOST = "atk-fwd-trusted.test";

    static RawBackend backend;
    static boolean created;

    @BeforeAll
    static void start() {
        backend = RawBackend.start("trusted");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        if (!created) {
            create("""
                    {"name":"atk-fwd-trusted","hostnames":["%s"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(HOST, backend.url()));
            created = true;
        }
    }

    static HttpHead forward(String path, String extraHeaders) {
        return forwardedHead(backend, HOST, path, extraHeaders);
    }

    @Test
    void xForwardedForFromATrustedProxyIsKeptAndAppendedTo() {
        HttpHead head = forward("/xff", "X-Forwarded-For: 203.0.113.9\r\n");
        assertEquals(List.of("203.0.113.9, 127.0.0.1"), head.values("X-Forwarded-For"), head::text);
    }

    @Test
    void forwardedFromATrustedProxyIsKeptAndAppendedTo() {
        HttpHead head = forward("/forwarded", "Forwarded: for=203.0.113.9\r\n");
        assertEquals(List.of("for=203.0.113.9, for=127.0.0.1;proto=http;host=" + HOST), head.values("Forwarded"), head::text);
    }

    @Test
    void withoutForwardedHeadersATrustedClientGetsTheSameAsAnyOther() {
        HttpHead head = forward("/none", "");
        assertEquals(List.of("127.0.0.1"), head.values("X-Forwarded-For"), head::text);
        assertEquals(List.of("http"), head.values("X-Forwarded-Proto"), head::text);
        assertEquals(List.of(HOST), head.values("X-Forwarded-Host"), head::text);
        assertEquals(List.of(Integer.toString(ProxyClient.port())), head.values("X-Forwarded-Port"), head::text);
        assertEquals(List.of("for=127.0.0.1;proto=http;host=" + HOST), head.values("Forwarded"), head::text);
    }
}
