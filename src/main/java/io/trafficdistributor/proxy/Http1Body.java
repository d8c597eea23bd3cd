package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.Http1Parsing.CR;
import static io.trafficdistributor.proxy.Http1Parsing.LF;
import static io.trafficdistributor.proxy.Http1Parsing.TOO_LARGE;
import static io.trafficdistributor.proxy.Http1Parsing.headerLines;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.trafficdistributor.proxy.Http1Parsing.HeadSearch;
import io.trafficdistributor.proxy.Http1Parsing.Malformed;

/**
 * Reading one HTTP/1.x body of a known length or in chunks, for both readers ({@link RequestDecoder},
 * {@link BackendResponseDecoder}): its parts go on as slices of the bytes read ({@code HttpContent}), the last with
 * the trailers ({@code LastHttpContent}); chunk framing is taken off (the proxy frames its own). From a client,
 * chunk lines must end in CRLF and trailers must not carry fields that would change how the request was framed or
 * routed; a backend's may end in LF alone.
 */
final class Http1Body {

    private enum Phase { LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS }

    /** Trailer fields that would change the framing or routing of a request already read (RFC 9110 §6.5.1). */
    private static final AsciiString[] FORBIDDEN_TRAILERS = { HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TRAILER, HttpHeaderNames.HOST,
            HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONNECTION };

    private final boolean fromClient;
    private final int maxChunkLine;
    private final int maxTrailers;
    private final HeadSearch search = new HeadSearch();
    private Phase phase;
    /** Bytes still due: of the length, or of the current chunk. */
    private long remaining;

    Http1Body(boolean fromClient, int maxChunkLine, int maxTrailers) {
        this.fromClient = fromClient;
        this.maxChunkLine = maxChunkLine;
        this.maxTrailers = maxTrailers;
    }

    /** The next body has {@code length} (> 0) bytes. */
    void length(long length) {
        remaining = length;
        phase = Phase.LENGTH;
    }

    /** The next body comes in chunks. */
    void chunked() {
        phase = Phase.CHUNK_SIZE;
    }

    /**
     * Reads what it can of the body from {@code in}; true once its last part is in {@code out}. Throws
     * {@link Malformed} or {@link TooLongFrameException} when the framing is broken.
     */
    boolean read(ByteBuf in, List<Object> out) {
        switch (phase) {
            case LENGTH -> {
                return length(in, out);
            }
            case CHUNK_SIZE -> chunkSize(in);
            case CHUNK_DATA -> chunkData(in, out);
            case CHUNK_END -> {
                if (Http1Parsing.chunkEnd(in, fromClient)) {
                    phase = Phase.CHUNK_SIZE;
                }
            }
            case TRAILERS -> {
                return trailers(in, out);
            }
        }
        return false;
    }

    private boolean length(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        if (readable >= remaining) {
            out.add(new DefaultLastHttpContent(in.readRetainedSlice((int) remaining), EmptyHttpHeaders.INSTANCE));
            return true;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(readable)));
        remaining -= readable;
        return false;
    }

    private void chunkSize(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, Math.min(in.writerIndex(), start + maxChunkLine), LF);
        if (lf < 0) {
            if (in.readableBytes() >= maxChunkLine) {
                throw new TooLongFrameException("A chunk size line is longer than " + maxChunkLine + " bytes.");
            }
            return;
        }
        long size = Http1Parsing.chunkSize(in, lf, fromClient);
        in.readerIndex(lf + 1);
        if (size == 0) {
            phase = Phase.TRAILERS;
        } else {
            remaining = size;
            phase = Phase.CHUNK_DATA;
        }
    }

    private void chunkData(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return;
        }
        int n = (int) Math.min(readable, remaining);
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            phase = Phase.CHUNK_END;
        }
    }

    private boolean trailers(ByteBuf in, List<Object> out) {
        int end = search.end(in, maxTrailers);
        if (end == TOO_LARGE) {
            throw new Malformed("The trailer section is larger than " + maxTrailers + " bytes.");
        }
        if (end < 0) {
            return false;
        }
        int length = end - in.readerIndex();
        if (length <= 2) { // no trailers: the usual end
            if (fromClient && (length == 1 || in.getByte(in.readerIndex()) != CR)) {
                throw new Malformed("The chunked body does not end in CRLF.");
            }
            in.skipBytes(length);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            return true;
        }
        byte[] section = new byte[length];
        in.readBytes(section);
        FlatHeaders trailers = new FlatHeaders();
        headerLines(section, 0, fromClient, trailers);
        if (fromClient) {
            for (AsciiString forbidden : FORBIDDEN_TRAILERS) {
                if (trailers.contains(forbidden)) {
                    throw new Malformed("A field that is not allowed in a trailer: " + forbidden + ".");
                }
            }
        }
        out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        return true;
    }
}
