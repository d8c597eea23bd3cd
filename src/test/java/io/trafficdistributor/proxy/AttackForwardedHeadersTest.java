package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.support.RawHttp.forwardedHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.HttpHead;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.RawBackend;

/**
 * Forwarded headers from a client the proxy does not trust ({@code td.proxy.trusted-proxies} is empty in tests):
 * whatever it claims is dropped, the proxy states the connection's facts once each, and {@code Proxy} /
 * {@code Proxy-*} (httpoxy) never reach the backend (DESIGN §4, Forwarded headers and Forwarding).
 */
@QuarkusTest
class AttackForwardedHeadersTest {

    static final String HOST = "atk-fwd.test";

    static RawBackend backend;
    static boolean created;

    @BeforeAll
    static void start() {
        backend = RawBackend.start("forwarded");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void distributor() {
        if (!created) {
            create("""
                    {"name":"atk-fwd","hostnames":["%s"],"backends":[{"name":"raw","url":"%s"}],
                     "healthCheck":{"enabled":false}}""".formatted(HOST, backend.url()));
            created = true;
        }
    }

    static HttpHead forward(String path, String extraHeaders) {
        return forwardedHead(backend, HOST, path, extraHeaders);
    }

    /** What the proxy states about a plain-HTTP connection from 127.0.0.1 to HOST, exactly once each. */
    static void assertSetByTheProxyOnly(HttpHead head) {
        assertEquals(List.of("127.0.0.1"), head.values("X-Forwarded-For"), head::text);
        assertEquals(List.of("http"), head.values("X-Forwarded-Proto"), head::text);
        assertEquals(List.of(HOST), head.values("X-Forwarded-Host"), head::text);
        assertEquals(List.of(Integer.toString(ProxyClient.port())), head.values("X-Forwarded-Port"), head::text);
        assertEquals(List.of("for=127.0.0.1;proto=http;host=" + HOST), head.values("Forwarded"), head::text);
        assertEquals(List.of(), head.values("X-Real-IP"), head::text);
        assertEquals(List.of(), head.values("True-Client-IP"), head::text);
    }

    @Test
    void withoutForwardedHeadersTheProxySetsThemFromTheConnection() {
        assertSetByTheProxyOnly(forward("/plain", ""));
    }

    @Test
    void forwardedHeadersFromAnUntrustedClientAreReplacedNotPassedOn() {
        HttpHead head = forward("/spoofed", """
                Forwarded: for=6.6.6.6;host=evil.example;proto=https\r
                X-Forwarded-For: 6.6.6.6\r
                X-Forwarded-Host: evil.example\r
                X-Forwarded-Proto: https\r
                X-Forwarded-Port: 6666\r
                X-Forwarded-Server: evil.example\r
                X-Real-IP: 6.6.6.6\r
                True-Client-IP: 6.6.6.6\r
                """);
        assertSetByTheProxyOnly(head);
        assertEquals(List.of(), head.values("X-Forwarded-Server"), head::text);
        assertFalse(head.text().contains("6.6.6.6"), head::text);
        assertFalse(head.text().contains("evil"), head::text);
        assertFalse(head.text().contains("6666"), head::text);
    }

    @Test
    void spoofedHeadersInOddSpellingsAreDroppedToo() {
        // Field names are case-insensitive, and a value may be split over several lines of the same name.
        HttpHead head = forward("/odd-case", """
                x-forwarded-for: 6.6.6.6\r
                X-FORWARDED-FOR: 6.6.6.7\r
                forwarded: for=6.6.6.6\r
                x-real-ip: 6.6.6.6\r
                """);
        assertSetByTheProxyOnly(head);
        assertFalse(head.text().contains("6.6.6."), head::text);
    }

    @Test
    void proxyAndProxyStarHeadersNeverReachTheBackend() {
        HttpHead head = forward("/httpoxy", """
                Proxy: http://evil.example:8080\r
                Proxy-Foo: x\r
                proxy-authorization: Basic ZXZpbDpldmls\r
                X-Kept: kept\r
                """);
        assertEquals(List.of("kept"), head.values("X-Kept"), head::text);
        for (String line : head.headerLines()) {
            assertFalse(line.toLowerCase().startsWith("proxy"), () -> "forwarded: " + line + "\n" + head.text());
        }
        assertFalse(head.text().contains("evil"), head::text);
        assertNotNull(head.value("X-Forwarded-For"), head::text);
    }
}
