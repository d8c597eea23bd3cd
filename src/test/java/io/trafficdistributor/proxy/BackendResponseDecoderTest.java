package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The backend connection's response reader: a HEAD's response is a head only, whatever its length says; bodies by
 * RFC 9112 §6.3; what would let one response be read as part of another is refused.
 */
class BackendResponseDecoderTest {

    private static void feed(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aHeadResponsesLengthIsNotReadAsABodyAndTheNextResponseFollows() {
        BackendResponseDecoder decoder = new BackendResponseDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.expectResponseTo(true);
        feed(channel, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        HttpResponse head = assertInstanceOf(HttpResponse.class, channel.readInbound());
        assertEquals("5", head.headers().get("content-length"));
        Object end = channel.readInbound();
        assertTrue(end instanceof LastHttpContent last && !last.content().isReadable(), "no body: " + end);

        decoder.expectResponseTo(false);
        feed(channel, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertInstanceOf(HttpResponse.class, channel.readInbound());
        StringBuilder body = new StringBuilder();
        Object part;
        while ((part = channel.readInbound()) != null) {
            body.append(((HttpContent) part).content().toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(part);
        }
        assertEquals("hello", body.toString());
        channel.finishAndReleaseAll();
    }

    @Test
    void anInterimResponseBeforeAHeadAnswerLeavesTheFinalOneBodiless() {
        BackendResponseDecoder decoder = new BackendResponseDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.expectResponseTo(true);
        feed(channel, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
        assertEquals(103, ((HttpResponse) channel.readInbound()).status().code());
        ReferenceCountUtil.release(channel.readInbound()); // the interim response's (empty) end
        assertEquals(200, ((HttpResponse) channel.readInbound()).status().code());
        Object end = channel.readInbound();
        assertTrue(end instanceof LastHttpContent last && !last.content().isReadable(), "no body: " + end);
        channel.finishAndReleaseAll();
    }

    /** What one channel read out of the bytes: the head, the body's text, the trailers, whether it ended. */
    record Read(HttpResponse head, String body, HttpHeaders trailers, boolean ended) {
    }

    private static Read read(EmbeddedChannel channel) {
        HttpResponse head = null;
        StringBuilder body = new StringBuilder();
        HttpHeaders trailers = null;
        boolean ended = false;
        Object part;
        while ((part = channel.readInbound()) != null) {
            if (part instanceof HttpResponse response) {
                head = response;
            }
            if (part instanceof HttpContent content) {
                body.append(content.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (part instanceof LastHttpContent last) {
                trailers = last.trailingHeaders();
                ended = true;
            }
            ReferenceCountUtil.release(part);
        }
        return new Read(head, body.toString(), trailers, ended);
    }

    private static Read decode(String bytes, boolean byteByByte) {
        EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
        if (byteByByte) {
            for (char c : bytes.toCharArray()) {
                feed(channel, String.valueOf(c));
            }
        } else {
            feed(channel, bytes);
        }
        Read read = read(channel);
        channel.finishAndReleaseAll();
        return read;
    }

    @Test
    void chunksWithExtensionsAndTrailersWhateverPiecesTheyArriveIn() {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A:  spaced \t\r\n\r\n"
                + "5;name=\"v\"\r\nhello\r\n1A\r\n" + "abcdefghijklmnopqrstuvwxyz" + "\r\n0\r\nX-Sum: 42\r\nX-Other: o\r\n\r\n";
        for (boolean byteByByte : new boolean[] { false, true }) {
            Read read = decode(response, byteByByte);
            assertEquals(200, read.head().status().code());
            assertEquals("spaced", read.head().headers().get("x-a"));
            assertEquals("helloabcdefghijklmnopqrstuvwxyz", read.body());
            assertTrue(read.ended());
            assertEquals("42", read.trailers().get("X-Sum"));
            assertEquals("o", read.trailers().get("x-other"));
        }
    }

    @Test
    void aLengthAndLfOnlyLinesAndAStrayLineEndBeforeTheNextResponse() {
        EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
        feed(channel, "HTTP/1.1 404 Nope\nContent-Length: 3\n\nabc\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        Read first = read(channel);
        // both responses came in one read: the reader yields the second head too
        assertEquals(HttpResponseStatus.OK, first.head().status());
        assertEquals(HttpVersion.HTTP_1_0, first.head().protocolVersion());
        assertEquals("abc", first.body());
        channel.finishAndReleaseAll();

        Read custom = decode("HTTP/1.1 404 Nope\r\nContent-Length: 1\r\n\r\nx", false);
        assertEquals("Nope", custom.head().status().reasonPhrase());
        Read usual = decode("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx", false);
        assertTrue(usual.head().status() == HttpResponseStatus.OK, "the usual status is Netty's own object");
        assertEquals("x", usual.body());
        Read noReason = decode("HTTP/1.1 204\r\n\r\n", false);
        assertEquals(204, noReason.head().status().code());
        assertTrue(noReason.ended());
    }

    @Test
    void transferEncodingOverridesALengthAndAnotherFinalCodingRunsUntilTheClose() {
        Read both = decode("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false);
        assertEquals("ok", both.body());
        assertTrue(both.ended());
        assertNull(both.head().headers().get("Content-Length"), "a length the body does not have must not reach the client");

        EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
        feed(channel, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nraw");
        Read open = read(channel);
        assertEquals("2\r\nraw", open.body(), "not chunked in the end: the bytes as they are");
        assertFalse(open.ended());
        channel.close(); // the close ends such a body
        assertTrue(read(channel).ended());
        channel.finishAndReleaseAll();
    }

    @Test
    void headsThatCouldHideOrSplitAResponseAreRefused() {
        String[] refused = {
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc",
                "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
                "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
                "HTTP/2.0 200 OK\r\n\r\n",
                "HTTP/1.1 20 OK\r\n\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "ICY 200 OK\r\n\r\n" };
        for (String response : refused) {
            Read read = decode(response, false);
            assertTrue(read.head() != null && read.head().decoderResult().isFailure(), response);
            assertInstanceOf(Http1Parsing.Malformed.class, read.head().decoderResult().cause(), response);
            assertEquals("", read.body(), response);
        }
    }

    @Test
    void aBrokenChunkClosesTheConnectionWithoutALastPart() {
        String[] broken = { "zz\r\n", "5\r\nhelloX\r\n", "5 x\r\nhello\r\n", "ffffffffffffffffff\r\n",
                "5\rhello\r\n" };
        for (String chunks : broken) {
            EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
            feed(channel, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n");
            Read read = read(channel);
            assertEquals(200, read.head().status().code(), chunks);
            assertFalse(read.ended(), "a broken body must not look whole: " + chunks);
            assertFalse(channel.isOpen(), chunks);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aBodyCutByTheCloseHasNoLastPart() {
        EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
        feed(channel, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        Read read = read(channel);
        assertEquals("abc", read.body());
        channel.close();
        assertFalse(read(channel).ended());
        channel.finishAndReleaseAll();
    }

    @Test
    void afterA101TheRestIsLeftForTheTunnel() {
        EmbeddedChannel channel = new EmbeddedChannel(new BackendResponseDecoder());
        feed(channel, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi");
        HttpResponse head = assertInstanceOf(HttpResponse.class, channel.readInbound());
        assertEquals(101, head.status().code());
        assertNull(channel.readInbound(), "the frame after the 101 is not the decoder's to read");
        channel.pipeline().remove(BackendResponseDecoder.class); // as the tunnel does: the bytes held are passed on
        ByteBuf rest = channel.readInbound();
        assertEquals("\u0081\u0002hi", rest.toString(StandardCharsets.ISO_8859_1));
        rest.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aHeadLargerThanTheLimitIsRefused() {
        String big = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(BackendResponseDecoder.MAX_HEAD) + "\r\n\r\n";
        Read read = decode(big, false);
        assertTrue(read.head().decoderResult().isFailure());
    }
}
