package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * The client connection's request reader on its own (the proxy tests send the same bytes through the listener):
 * what it passes on of a well-formed request, whatever pieces it arrives in, and what it refuses and why.
 */
class RequestDecoderTest {

    /** Request line 100 bytes, header section 200 bytes; no header timeout (no timer). */
    private static final ProxySettings SETTINGS = new ProxySettings(100, 200, 0, 0, 1, 1, 0, 1024, 0, false, null, null,
            null, null, null, "", false, 1);

    /** What the reader passed on for one connection's bytes. */
    record Read(List<HttpRequest> heads, List<String> bodies, List<HttpHeaders> trailers, Throwable failure) {
    }

    private static Read read(String bytes, boolean byteByByte) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(SETTINGS, () -> { }, () -> false));
        if (byteByByte) {
            for (char c : bytes.toCharArray()) {
                channel.writeInbound(Unpooled.copiedBuffer(String.valueOf(c), StandardCharsets.ISO_8859_1));
            }
        } else {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        }
        List<HttpRequest> heads = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        List<HttpHeaders> trailers = new ArrayList<>();
        Throwable failure = null;
        StringBuilder body = new StringBuilder();
        Object part;
        while ((part = channel.readInbound()) != null) {
            if (part instanceof HttpRequest head) {
                if (head.decoderResult().isFailure()) {
                    failure = head.decoderResult().cause();
                } else {
                    heads.add(head);
                }
            }
            if (part instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    failure = content.decoderResult().cause();
                }
                body.append(content.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (part instanceof LastHttpContent last && !last.decoderResult().isFailure()) {
                bodies.add(body.toString());
                body.setLength(0);
                trailers.add(last.trailingHeaders());
            }
            ReferenceCountUtil.release(part);
        }
        channel.finishAndReleaseAll();
        return new Read(heads, bodies, trailers, failure);
    }

    @Test
    void pipelinedRequestsWithEveryFramingWhateverPiecesTheyArriveIn() {
        String bytes = "GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-Tag:  v1 \t\r\nx-tag: v2\r\n\r\n"
                + "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                + "PUT /c HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n5;ext=\"x\"\r\nhello\r\n1a\r\n"
                + "abcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 9\r\n\r\n"
                + "\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";
        for (boolean byteByByte : new boolean[] { false, true }) {
            Read read = read(bytes, byteByByte);
            assertNull(read.failure());
            assertEquals(4, read.heads().size());
            HttpRequest get = read.heads().get(0);
            assertEquals(HttpMethod.GET, get.method());
            assertEquals("/a?b=c", get.uri());
            assertEquals(HttpVersion.HTTP_1_1, get.protocolVersion());
            assertEquals(List.of("v1", "v2"), get.headers().getAll("X-TAG"));
            assertEquals(HttpVersion.HTTP_1_0, read.heads().get(2).protocolVersion());
            assertEquals("*", read.heads().get(3).uri());
            assertEquals(List.of("", "hello", "helloabcdefghijklmnopqrstuvwxyz", ""), read.bodies());
            assertEquals("9", read.trailers().get(2).get("x-sum"));
        }
    }

    @Test
    void aMethodOtherThanTheUsualOnesIsItsOwnToken() {
        Read read = read("PROPFIND /dav HTTP/1.1\r\nHost: h\r\n\r\n", false);
        assertEquals("PROPFIND", read.heads().get(0).method().name());
    }

    private static void assertRefused(String bytes, Class<? extends Throwable> type, String message) {
        for (boolean byteByByte : new boolean[] { false, true }) {
            Read read = read(bytes, byteByByte);
            assertInstanceOf(type, read.failure(), bytes);
            if (message != null) {
                assertEquals(message, read.failure().getMessage(), bytes);
            }
        }
    }

    @Test
    void framingThatCouldSmuggleARequestIsRefused() {
        String lengths = "The request has conflicting or invalid Content-Length headers.";
        assertRefused("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                RequestDecoder.FramingException.class, lengths);
        assertRefused("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc", RequestDecoder.FramingException.class, lengths);
        assertRefused("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc", RequestDecoder.FramingException.class, lengths);
        assertRefused("POST / HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n",
                RequestDecoder.FramingException.class, lengths);
        assertRefused("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                RequestDecoder.FramingException.class, "A request must not have both Content-Length and Transfer-Encoding.");
        String codings = "Transfer-Encoding other than chunked is not accepted.";
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", RequestDecoder.FramingException.class, codings);
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                RequestDecoder.FramingException.class, codings);
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", RequestDecoder.FramingException.class, codings);
    }

    @Test
    void malformedHeadsAreRefusedSayingWhat() {
        assertRefused("GET / HTTP/1.1\nHost: h\n\n", Http1Parsing.Malformed.class, "A line of the head ends in LF without CR.");
        assertRefused("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", Http1Parsing.Malformed.class, "A CR that does not end a line.");
        assertRefused("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", Http1Parsing.Malformed.class, "A folded header line (obs-fold).");
        assertRefused("GET / HTTP/1.1\r\nHost : h\r\n\r\n", Http1Parsing.Malformed.class,
                "A header line without a token name right before a colon.");
        assertRefused("GET / HTTP/1.1\r\nHost: h\u0000\r\n\r\n", Http1Parsing.Malformed.class,
                "A header value has a character not allowed in one.");
        assertRefused("GET / HTTP/1.1\r\nX: a\u007fb\r\n\r\n", Http1Parsing.Malformed.class,
                "A header value has a character not allowed in one.");
        String line = "The request line is not: method, a space, target, a space, HTTP version.";
        assertRefused("GET /a b HTTP/1.1\r\n\r\n", Http1Parsing.Malformed.class, line);
        assertRefused("GET  / HTTP/1.1\r\n\r\n", Http1Parsing.Malformed.class, line);
        assertRefused("G(T / HTTP/1.1\r\n\r\n", Http1Parsing.Malformed.class, line);
        assertRefused("GET /\r\n\r\n", Http1Parsing.Malformed.class, line);
        assertRefused("GET / HTTP/2.0\r\n\r\n", Http1Parsing.Malformed.class, "The request's HTTP version is not HTTP/1.1 or HTTP/1.0.");
        assertRefused("GET / HTTP/1.1x\r\n\r\n", Http1Parsing.Malformed.class, line);
    }

    @Test
    void aLongLineIs414AndALargeHeaderSection431() {
        assertRefused("GET /" + "a".repeat(120) + " HTTP/1.1\r\n\r\n", TooLongHttpLineException.class, null);
        assertRefused("GET /" + "a".repeat(120), TooLongHttpLineException.class, null); // still arriving
        assertRefused("GET / HTTP/1.1\r\nX: " + "a".repeat(250) + "\r\n\r\n", TooLongHttpHeaderException.class, null);
        assertRefused("GET / HTTP/1.1\r\nX: " + "a".repeat(400), TooLongHttpHeaderException.class, null);
    }

    /** The limit counts the line with its CR: 100 bytes pass, 101 do not, however the head arrives. */
    @Test
    void aRequestLineRightAtTheLimitPassesAndOneByteMoreIs414() {
        String headers = "Host: h\r\nX: " + "b".repeat(60) + "\r\n\r\n"; // still arriving when past 100 bytes
        for (boolean byteByByte : new boolean[] { false, true }) {
            Read read = read("GET /" + "a".repeat(85) + " HTTP/1.1\r\n" + headers, byteByByte);
            assertNull(read.failure());
            assertEquals("/" + "a".repeat(85), read.heads().get(0).uri());
        }
        assertRefused("GET /" + "a".repeat(86) + " HTTP/1.1\r\n" + headers, TooLongHttpLineException.class, null);
    }

    @Test
    void malformedChunksFailTheBodyAndNothingAfterThemIsRead() {
        String head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n";
        String[] bodies = { "zz\r\nhello\r\n0\r\n\r\n", "ffffffffffffffffff\r\n", "5\nhello\n0\n\n", "5\r\nhelloXX0\r\n\r\n",
                "5 ;x\r\nhello\r\n0 x\r\n\r\n", "0\r\nContent-Length: 5\r\n\r\n", "0\r\nX: y\n\r\n", "0\r\n\n" };
        for (String body : bodies) {
            Read read = read(head + body + smuggled, false);
            assertEquals(1, read.heads().size(), body);
            assertInstanceOf(Http1Parsing.Malformed.class, read.failure(), body);
            assertTrue(read.bodies().isEmpty(), "a broken body must not end well: " + body);
        }
        Read long_ = read(head + "5;" + "x".repeat(200) + "\r\nhello\r\n0\r\n\r\n", false);
        assertInstanceOf(TooLongFrameException.class, long_.failure());
        assertFalse(read(head + "5 ;x\r\nhello\r\n0\r\n\r\n", false).heads().isEmpty());
    }
}
