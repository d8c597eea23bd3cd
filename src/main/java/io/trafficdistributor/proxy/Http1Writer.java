package io.trafficdistributor.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * HTTP/1.1 heads and chunk framing written as bytes, in place of Netty's {@code HttpRequestEncoder} and
 * {@code HttpResponseEncoder} on the proxy's HTTP/1.1 paths. A head is laid out in a per-thread scratch array with
 * bulk copies (the header values are Latin-1 strings, whose bytes copy as an array) and then moved into one pooled
 * buffer of its exact size: Netty's encoders wrote each character on its own into a buffer whose size they guessed
 * and grew, which measured about a fifth of the event loops' Java time.
 * <p>
 * Nothing here validates: the heads come from the strict request decoder, the backend's decoded response, and
 * values the proxy built itself, none of which can hold a CR or LF.
 */
final class Http1Writer {

    private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2, 2).writeByte('\r').writeByte('\n')).asReadOnly();

    /** Grows on demand; one per event loop, used and done with within one call. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private Http1Writer() {
    }

    /** {@code METHOD target HTTP/1.1}, the headers, the empty line. */
    static ByteBuf requestHead(ByteBufAllocator alloc, CharSequence method, CharSequence target, HttpHeaders headers) {
        Scratch head = SCRATCH.get().reset();
        head.text(method).put((byte) ' ').text(target).put((byte) ' ').bytes(HTTP_1_1).crlf();
        return head.headers(headers).crlf().toBuffer(alloc);
    }

    /** {@code HTTP/1.1 code reason}, the headers, the empty line. */
    static ByteBuf responseHead(ByteBufAllocator alloc, HttpResponseStatus status, HttpHeaders headers) {
        Scratch head = SCRATCH.get().reset();
        head.bytes(HTTP_1_1).put((byte) ' ').text(status.codeAsText()).put((byte) ' ').text(status.reasonPhrase()).crlf();
        return head.headers(headers).crlf().toBuffer(alloc);
    }

    /** The size line that opens a chunk of {@code size} (> 0) bytes: hex digits, CRLF. */
    static ByteBuf chunkSize(ByteBufAllocator alloc, int size) {
        Scratch line = SCRATCH.get().reset();
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            line.put(HEX[(size >>> shift) & 0xf]);
        }
        return line.crlf().toBuffer(alloc);
    }

    /** The CRLF that closes a chunk's data. */
    static ByteBuf chunkEnd() {
        return CRLF.duplicate();
    }

    /** The last chunk ({@code 0}), the trailer fields, if any, and the empty line that ends a chunked body. */
    static ByteBuf lastChunk(ByteBufAllocator alloc, HttpHeaders trailers) {
        Scratch end = SCRATCH.get().reset();
        end.bytes(LAST_CHUNK);
        return end.headers(trailers).crlf().toBuffer(alloc);
    }

    /**
     * Writes a part of a body framed as its head said: as it is, or as one chunk; {@code trailers}, given with the
     * last part only, end a chunked body with the last chunk and them. An empty part writes nothing and is released.
     */
    static void writeBody(ChannelOutboundInvoker out, ByteBufAllocator alloc, ByteBuf data, boolean chunked,
            HttpHeaders trailers) {
        if (!chunked) {
            if (data.isReadable()) {
                out.write(data);
            } else {
                data.release();
            }
            return;
        }
        writeChunk(out, alloc, data);
        if (trailers != null) {
            out.write(lastChunk(alloc, trailers));
        }
    }

    /** Writes one chunk of a chunked body (nothing for an empty part, which is released: size 0 would end the body). */
    static void writeChunk(ChannelOutboundInvoker out, ByteBufAllocator alloc, ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        out.write(chunkSize(alloc, data.readableBytes()));
        out.write(data);
        out.write(chunkEnd());
    }

    /** A growable byte array that heads are laid out in. */
    private static final class Scratch {
        private byte[] bytes = new byte[2048];
        private int length;

        Scratch reset() {
            length = 0;
            return this;
        }

        Scratch headers(HttpHeaders headers) {
            if (headers instanceof FlatHeaders flat) { // the HTTP/1.x paths': by index, no entry objects
                for (int i = 0, n = flat.size(); i < n; i++) {
                    text(flat.name(i)).put((byte) ':').put((byte) ' ').text(flat.value(i)).crlf();
                }
                return this;
            }
            Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
            while (all.hasNext()) {
                Map.Entry<CharSequence, CharSequence> header = all.next();
                text(header.getKey()).put((byte) ':').put((byte) ' ').text(header.getValue()).crlf();
            }
            return this;
        }

        Scratch crlf() {
            return put((byte) '\r').put((byte) '\n');
        }

        Scratch put(byte b) {
            room(1);
            bytes[length++] = b;
            return this;
        }

        Scratch bytes(byte[] source) {
            room(source.length);
            System.arraycopy(source, 0, bytes, length, source.length);
            length += source.length;
            return this;
        }

        /** The text's characters as bytes (their low eight bits: the heads are Latin-1, RFC 9110 §5.5). */
        @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is exactly "the low eight bits", as an array copy
        Scratch text(CharSequence text) {
            int size = text.length();
            room(size);
            if (text instanceof String string) {
                string.getBytes(0, size, bytes, length);
            } else if (text instanceof AsciiString ascii) {
                System.arraycopy(ascii.array(), ascii.arrayOffset(), bytes, length, size);
            } else {
                for (int i = 0; i < size; i++) {
                    bytes[length + i] = (byte) text.charAt(i);
                }
            }
            length += size;
            return this;
        }

        private void room(int more) {
            if (length + more > bytes.length) {
                byte[] larger = new byte[Math.max(bytes.length * 2, length + more)];
                System.arraycopy(bytes, 0, larger, 0, length);
                bytes = larger;
            }
        }

        ByteBuf toBuffer(ByteBufAllocator alloc) {
            return alloc.directBuffer(length, length).writeBytes(bytes, 0, length);
        }
    }
}
