package io.trafficdistributor.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/** The backend connection's response decoder: a HEAD's response is a head only, whatever its length says. */
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
}
