package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Head rewriting, client to backend: what one scan finds and what the rewrite leaves. Plain, no Quarkus. */
class RequestHeadsTest {

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    private static HttpHeaders rewritten(HttpHeaders headers, boolean trusted) {
        RequestHeads.Scan scan = RequestHeads.scan(headers, trusted);
        // As the client handler passes them: AsciiStrings, which a decoded request's headers validate fastest.
        RequestHeads.rewrite(headers, scan, AsciiString.of("shop.test"), AsciiString.of("shop.test"),
                AsciiString.of("192.0.2.1"), AsciiString.of("for=192.0.2.1;proto=http;host=shop.test"),
                AsciiString.of("http"), AsciiString.of("8000"), trusted);
        return headers;
    }

    @Test
    void theScanCountsHostLinesAndKeepsTheFirst() {
        RequestHeads.Scan one = RequestHeads.scan(headers("Host", "a.test", "Accept", "*/*"), false);
        assertEquals(1, one.hostLines);
        assertEquals("a.test", one.host);
        RequestHeads.Scan two = RequestHeads.scan(headers("Host", "a.test", "host", "b.test"), false);
        assertEquals(2, two.hostLines);
        assertEquals("a.test", two.host);
        assertEquals(0, RequestHeads.scan(headers("Accept", "*/*"), false).hostLines);
    }

    @Test
    void aPlainRequestKeepsItsHeadersAndGetsTheForwardedOnes() {
        HttpHeaders out = rewritten(headers("Host", "shop.test", "Accept", "*/*", "Cookie", "a=1"), false);
        assertEquals("*/*", out.get("accept"));
        assertEquals("a=1", out.get("cookie"));
        assertEquals("shop.test", out.get("host"));
        assertEquals("192.0.2.1", out.get("x-forwarded-for"));
        assertEquals("http", out.get("x-forwarded-proto"));
        assertEquals("shop.test", out.get("x-forwarded-host"));
        assertEquals("8000", out.get("x-forwarded-port"));
        assertEquals("for=192.0.2.1;proto=http;host=shop.test", out.get("forwarded"));
    }

    @Test
    void hopByHopConnectionListedProxyAndExpectHeadersAreDropped() {
        HttpHeaders out = rewritten(headers("Host", "shop.test", "Connection", "keep-alive, X-Secret",
                "Keep-Alive", "timeout=5", "X-Secret", "s", "TE", "trailers", "Proxy", "http://evil",
                "Proxy-Foo", "x", "Proxy-Authorization", "Basic x", "Expect", "100-continue",
                "Transfer-Encoding", "chunked", "Content-Length", "5", "Upgrade", "h2c", "X-Kept", "k"), false);
        for (String gone : List.of("connection", "keep-alive", "x-secret", "te", "proxy", "proxy-foo",
                "proxy-authorization", "expect", "transfer-encoding", "content-length", "upgrade")) {
            assertFalse(out.contains(gone), gone + " was passed on: " + out);
        }
        assertEquals("k", out.get("x-kept"));
    }

    @Test
    void anUntrustedClientsForwardingHeadersAreReplaced() {
        HttpHeaders out = rewritten(headers("Host", "shop.test", "X-Forwarded-For", "203.0.113.7",
                "X-Forwarded-Host", "evil.test", "Forwarded", "for=203.0.113.7", "X-Real-IP", "203.0.113.7",
                "True-Client-IP", "203.0.113.7"), false);
        assertEquals(List.of("192.0.2.1"), out.getAll("x-forwarded-for"));
        assertEquals(List.of("shop.test"), out.getAll("x-forwarded-host"));
        assertEquals(List.of("for=192.0.2.1;proto=http;host=shop.test"), out.getAll("forwarded"));
        assertNull(out.get("x-real-ip"));
        assertNull(out.get("true-client-ip"));
    }

    @Test
    void aTrustedProxysForwardingHeadersAreKeptAndAppendedTo() {
        HttpHeaders out = rewritten(headers("Host", "shop.test", "X-Forwarded-For", "203.0.113.7",
                "X-Forwarded-For", "198.51.100.2", "X-Forwarded-Proto", "https", "Forwarded", "for=203.0.113.7"), true);
        assertEquals("203.0.113.7, 198.51.100.2, 192.0.2.1", out.get("x-forwarded-for"));
        assertEquals("https", out.get("x-forwarded-proto"), "the first proxy saw the client's scheme");
        assertEquals("for=203.0.113.7, for=192.0.2.1;proto=http;host=shop.test", out.get("forwarded"));
    }

    @Test
    void noHostIsSetWhenEachBackendGetsItsOwn() {
        HttpHeaders headers = headers("Host", "shop.test");
        RequestHeads.rewrite(headers, RequestHeads.scan(headers, false), null, "shop.test", "192.0.2.1",
                "for=192.0.2.1", "http", "8000", false);
        assertEquals("shop.test", headers.get("host"), "left for the exchange to replace per backend");
        assertEquals("shop.test", headers.get("x-forwarded-host"));
    }

    @Test
    void aWebSocketUpgradeIsAGetWithUpgradeAndConnectionUpgrade() {
        HttpHeaders ws = headers("Host", "a", "Connection", "keep-alive, Upgrade", "Upgrade", "websocket");
        assertTrue(RequestHeads.isWebSocketUpgrade("GET", ws, RequestHeads.scan(ws, false)));
        assertFalse(RequestHeads.isWebSocketUpgrade("POST", ws, RequestHeads.scan(ws, false)));
        HttpHeaders noConnection = headers("Host", "a", "Upgrade", "websocket");
        assertFalse(RequestHeads.isWebSocketUpgrade("GET", noConnection, RequestHeads.scan(noConnection, false)));
        HttpHeaders h2c = headers("Host", "a", "Connection", "Upgrade", "Upgrade", "h2c");
        assertFalse(RequestHeads.isWebSocketUpgrade("GET", h2c, RequestHeads.scan(h2c, false)));
    }
}
