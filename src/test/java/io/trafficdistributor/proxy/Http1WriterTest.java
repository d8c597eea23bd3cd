package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/** HTTP/1.1 heads and chunks as bytes, exactly as they go on the wire. Plain, no Quarkus. */
class Http1WriterTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static String text(ByteBuf buffer) {
        try {
            return buffer.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buffer.release();
        }
    }

    @Test
    void aRequestHeadIsTheRequestLineTheHeadersInOrderAndAnEmptyLine() {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.add(AsciiString.cached("host"), "shop.test");
        headers.add("X-Forwarded-For", "192.0.2.1");
        headers.add("Accept", "*/*");
        headers.add("Accept", "text/html");
        assertEquals("GET /base/a?b=1 HTTP/1.1\r\nhost: shop.test\r\nX-Forwarded-For: 192.0.2.1\r\n"
                + "Accept: */*\r\nAccept: text/html\r\n\r\n",
                text(Http1Writer.requestHead(ALLOC, AsciiString.of("GET"), "/base/a?b=1", headers)));
    }

    @Test
    void aResponseHeadKeepsTheBackendsReasonPhrase() {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.add("Content-Length", "2");
        assertEquals("HTTP/1.1 200 Fine\r\nContent-Length: 2\r\n\r\n",
                text(Http1Writer.responseHead(ALLOC, HttpResponseStatus.valueOf(200, "Fine"), headers)));
        assertEquals("HTTP/1.1 404 Not Found\r\n\r\n",
                text(Http1Writer.responseHead(ALLOC, HttpResponseStatus.NOT_FOUND, EmptyHttpHeaders.INSTANCE)));
    }

    @Test
    void latin1ValuesPassAsTheirBytes() {
        HttpHeaders headers = new DefaultHttpHeaders(false);
        headers.add("X-Name", "caf\u00e9");
        ByteBuf head = Http1Writer.responseHead(ALLOC, HttpResponseStatus.OK, headers);
        try {
            byte[] bytes = new byte[head.readableBytes()];
            head.getBytes(head.readerIndex(), bytes);
            assertEquals((byte) 0xe9, bytes[bytes.length - 5], "é is the one byte 0xE9, as it arrived");
        } finally {
            head.release();
        }
    }

    @Test
    void aHeadLargerThanTheScratchSpaceIsWhole() {
        HttpHeaders headers = new DefaultHttpHeaders();
        String big = "v".repeat(10_000);
        headers.add("X-Big", big);
        headers.add("X-After", "1");
        assertEquals("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nX-After: 1\r\n\r\n",
                text(Http1Writer.responseHead(ALLOC, HttpResponseStatus.OK, headers)));
        // and the next, small head is not polluted by the large one
        assertEquals("HTTP/1.1 204 No Content\r\n\r\n",
                text(Http1Writer.responseHead(ALLOC, HttpResponseStatus.NO_CONTENT, EmptyHttpHeaders.INSTANCE)));
    }

    @Test
    void chunkSizesAreLowerCaseHexWithoutLeadingZeros() {
        assertEquals("1\r\n", text(Http1Writer.chunkSize(ALLOC, 1)));
        assertEquals("f\r\n", text(Http1Writer.chunkSize(ALLOC, 15)));
        assertEquals("10\r\n", text(Http1Writer.chunkSize(ALLOC, 16)));
        assertEquals("10000\r\n", text(Http1Writer.chunkSize(ALLOC, 65536)));
        assertEquals("7fffffff\r\n", text(Http1Writer.chunkSize(ALLOC, Integer.MAX_VALUE)));
    }

    @Test
    void aChunkedBodyIsItsChunksThenTheLastChunkWithTrailers() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Http1Writer.writeChunk(channel, ALLOC, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        Http1Writer.writeChunk(channel, ALLOC, Unpooled.buffer(0)); // nothing: a 0 would end the body
        Http1Writer.writeChunk(channel, ALLOC, Unpooled.copiedBuffer(" world!", StandardCharsets.US_ASCII));
        HttpHeaders trailers = new DefaultHttpHeaders();
        trailers.add("Checksum", "abc");
        channel.write(Http1Writer.lastChunk(ALLOC, trailers));
        channel.flush();
        assertEquals("5\r\nhello\r\n7\r\n world!\r\n0\r\nChecksum: abc\r\n\r\n", written(channel));
        channel.write(Http1Writer.lastChunk(ALLOC, EmptyHttpHeaders.INSTANCE));
        channel.flush();
        assertEquals("0\r\n\r\n", written(channel));
        channel.finishAndReleaseAll();
    }

    private static String written(EmbeddedChannel channel) {
        List<String> parts = new ArrayList<>();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            parts.add(text(part));
        }
        return String.join("", parts);
    }
}
