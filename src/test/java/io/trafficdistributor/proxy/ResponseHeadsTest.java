package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** Head rewriting, backend to client: framing chosen for the client, hop-by-hop out, Date in. Plain, no Quarkus. */
class ResponseHeadsTest {

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    @Test
    void aResponseWithALengthKeepsIt() {
        HttpHeaders out = headers("Content-Length", "5", "Date", "Mon, 01 Jan 2024 00:00:00 GMT");
        assertEquals(ResponseHeads.Framing.LENGTH, ResponseHeads.rewrite(out, 200, false, false));
        assertEquals("5", out.get("content-length"));
        assertEquals("Mon, 01 Jan 2024 00:00:00 GMT", out.get("date"), "the backend's Date is kept");
    }

    @Test
    void withoutALengthAnHttp11ClientGetsChunksAndAnHttp10ClientAClose() {
        HttpHeaders chunked = headers("Transfer-Encoding", "chunked");
        assertEquals(ResponseHeads.Framing.CHUNKED, ResponseHeads.rewrite(chunked, 200, false, false));
        assertEquals("chunked", chunked.get("transfer-encoding"));
        HttpHeaders close = headers("Transfer-Encoding", "chunked");
        assertEquals(ResponseHeads.Framing.CLOSE, ResponseHeads.rewrite(close, 200, false, true));
        assertNull(close.get("transfer-encoding"), "an HTTP/1.0 client cannot read chunks");
        assertNull(close.get("content-length"));
    }

    @Test
    void headAnd204And304AndInterimResponsesHaveNoBody() {
        HttpHeaders head = headers("Content-Length", "1234");
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(head, 200, true, false));
        assertEquals("1234", head.get("content-length"), "a HEAD answer keeps the GET's length");
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(headers(), 204, false, false));
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(headers(), 304, false, false));
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(headers(), 103, false, false));
    }

    @Test
    void a204HasNoLengthAndA205ALengthOfZero() {
        HttpHeaders noContent = headers("Content-Length", "7");
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(noContent, 204, false, false));
        assertNull(noContent.get("content-length"));
        HttpHeaders reset = headers("Transfer-Encoding", "chunked");
        assertEquals(ResponseHeads.Framing.NONE, ResponseHeads.rewrite(reset, 205, false, false));
        assertEquals("0", reset.get("content-length"));
        assertNull(reset.get("transfer-encoding"));
    }

    @Test
    void hopByHopAndConnectionListedHeadersAreDroppedAndADateAdded() {
        HttpHeaders out = headers("Connection", "close, X-Internal", "Keep-Alive", "timeout=5", "X-Internal", "1",
                "Proxy-Authenticate", "Basic", "Content-Length", "0", "X-Kept", "k");
        ResponseHeads.rewrite(out, 200, false, false);
        for (String gone : new String[] { "connection", "keep-alive", "x-internal", "proxy-authenticate" }) {
            assertFalse(out.contains(gone), gone + " was passed on: " + out);
        }
        assertEquals("k", out.get("x-kept"));
        assertNotNull(out.get("date"), "RFC 9110 §6.6.1: a forwarding recipient adds a Date");
    }
}
