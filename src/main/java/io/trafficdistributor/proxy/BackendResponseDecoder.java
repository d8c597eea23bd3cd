package io.trafficdistributor.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.trafficdistributor.proxy.Http1Parsing.HeadSearch;
import io.trafficdistributor.proxy.Http1Parsing.Malformed;

import static io.trafficdistributor.proxy.Http1Parsing.TOO_LARGE;
import static io.trafficdistributor.proxy.Http1Parsing.contentEnd;
import static io.trafficdistributor.proxy.Http1Parsing.headerLines;
import static io.trafficdistributor.proxy.Http1Parsing.lineEnd;
import static io.trafficdistributor.proxy.Http1Parsing.skipEmptyLines;

/**
 * A backend connection's HTTP/1.x response reader, byte level: it finds the end of a head in the bytes read,
 * copies the head once and splits it into a {@link FlatHeaders} whose names and values are views of that copy (no
 * characters decoded, no strings made), then passes the body on as slices of what was read, as Netty's
 * {@code HttpResponseDecoder} did with its {@code HttpResponse}, {@code HttpContent} and {@code LastHttpContent},
 * which measured over a tenth of the event loops' time.
 * <p>
 * Strict where a mistake would let one response be read as part of another (RFC 9112 §6.3): the status line is
 * {@code HTTP/1.1} or {@code HTTP/1.0}, three digits and a reason; a header name is a token right before its
 * colon; folded lines, a bare CR, differing or invalid {@code Content-Length}s and malformed chunk lines are
 * refused. Lines may end in LF alone (§2.2). The body is: none for a {@code HEAD} request (the exchange says so
 * before sending it), 1xx, 204 and 304; chunks when chunked is the final transfer coding; until the connection
 * closes for any other transfer coding or when no length is given; else the Content-Length.
 * <p>
 * A head the reader refuses is passed on as a response whose decoder result is the failure (the exchange answers
 * 502 and blames the backend). A body that breaks its framing, or a connection closed before a body with a length
 * or chunks is whole, ends without its last part, and the connection closes: the exchange then cuts the client's
 * response, so a cut response never looks whole. After a {@code 101} nothing more is read: the bytes that follow
 * belong to the tunnel that replaces this handler, which passes them on.
 */
final class BackendResponseDecoder extends ByteToMessageDecoder {

    /** The largest head (status line and header section): Netty's limits were 8 KiB and 64 KiB. */
    static final int MAX_HEAD = 72 * 1024;
    /** The longest chunk size line, extensions included, and the largest trailer section. */
    static final int MAX_CHUNK_LINE = 8 * 1024;
    static final int MAX_TRAILERS = 64 * 1024;

    private static final LastHttpContent EMPTY_LAST = LastHttpContent.EMPTY_LAST_CONTENT;
    private enum State { HEAD, BODY, UNTIL_CLOSE, UPGRADED, BROKEN }

    private State state = State.HEAD;
    /** Whether the response being read answers a HEAD request. */
    private boolean headRequest;
    private final HeadSearch search = new HeadSearch();
    private final Http1Body body = new Http1Body(false, MAX_CHUNK_LINE, MAX_TRAILERS);

    /** Before a request is sent: what its response will be read as. */
    void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case HEAD -> head(in, out);
                case BODY -> {
                    if (body.read(in, out)) {
                        state = State.HEAD;
                    }
                }
                case UNTIL_CLOSE -> out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
                case UPGRADED -> {
                    // not ours: the tunnel that replaces this handler passes these bytes on
                }
                case BROKEN -> in.skipBytes(in.readableBytes());
            }
        } catch (RuntimeException e) { // Malformed, or a too long chunk line
            boolean inHead = state == State.HEAD;
            state = State.BROKEN;
            in.skipBytes(in.readableBytes());
            if (inHead) {
                HttpResponse refused = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY,
                        EmptyHttpHeaders.INSTANCE);
                refused.setDecoderResult(DecoderResult.failure(e));
                out.add(refused);
            } else {
                ctx.close(); // mid-body: the exchange sees the close and cuts the client's response
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (state == State.UNTIL_CLOSE) {
            out.add(EMPTY_LAST); // the close is this body's end
        }
        state = State.BROKEN;
    }

    // ---- the head ---------------------------------------------------------------------------------------------

    private void head(ByteBuf in, List<Object> out) {
        skipEmptyLines(in);
        int end = search.end(in, MAX_HEAD);
        if (end == TOO_LARGE) {
            throw new Malformed("The response head is too large.");
        }
        if (end < 0) {
            return;
        }
        byte[] head = new byte[end - in.readerIndex()];
        in.readBytes(head);
        parse(head, out);
    }

    private void parse(byte[] head, List<Object> out) {
        int lineEnd = lineEnd(head, 0, false);
        int contentLine = contentEnd(head, 0, lineEnd);
        HttpVersion version = version(head, contentLine);
        int code = statusCode(head, contentLine);
        HttpResponseStatus status = status(code, head, 13, contentLine);
        FlatHeaders headers = new FlatHeaders();
        headerLines(head, lineEnd + 1, false, headers);
        long contentLength = -1;
        boolean transferCoded = false;
        boolean chunked = false;
        for (int i = 0; i < headers.size(); i++) {
            CharSequence name = headers.name(i);
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
                contentLength = contentLength((AsciiString) headers.value(i), contentLength);
            } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
                transferCoded = true;
                chunked = lastCodingIsChunked((AsciiString) headers.value(i), chunked);
            }
        }
        out.add(new DefaultHttpResponse(version, status, headers));
        if (code == 101) {
            state = State.UPGRADED;
        } else if (code < 200 || code == 204 || code == 304 || headRequest) {
            out.add(EMPTY_LAST); // 1xx: the final response follows, and a HEAD's is still a HEAD's
        } else if (transferCoded) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9112 §6.3: Transfer-Encoding overrides it
            if (chunked) {
                body.chunked();
                state = State.BODY;
            } else {
                state = State.UNTIL_CLOSE;
            }
        } else if (contentLength == 0) {
            out.add(EMPTY_LAST);
        } else if (contentLength > 0) {
            body.length(contentLength);
            state = State.BODY;
        } else {
            state = State.UNTIL_CLOSE;
        }
    }

    private static HttpVersion version(byte[] head, int end) {
        // "HTTP/1.x NNN"
        if (end < 12 || head[0] != 'H' || head[1] != 'T' || head[2] != 'T' || head[3] != 'P' || head[4] != '/'
                || head[5] != '1' || head[6] != '.' || head[8] != ' ') {
            throw new Malformed("The response's status line is not HTTP/1.x.");
        }
        if (head[7] == '1') {
            return HttpVersion.HTTP_1_1;
        }
        if (head[7] == '0') {
            return HttpVersion.HTTP_1_0;
        }
        throw new Malformed("The response's status line is not HTTP/1.x.");
    }

    private static int statusCode(byte[] head, int end) {
        int code = 0;
        for (int i = 9; i < 12; i++) {
            int digit = head[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new Malformed("The response's status code is not three digits.");
            }
            code = code * 10 + digit;
        }
        if (code < 100 || (end > 12 && head[12] != ' ')) {
            throw new Malformed("The response's status code is not three digits.");
        }
        return code;
    }

    /** The status with the backend's reason phrase: Netty's own object when the reason is the usual one. */
    private static HttpResponseStatus status(int code, byte[] head, int reasonStart, int end) {
        HttpResponseStatus known = HttpResponseStatus.valueOf(code);
        String usual = known.reasonPhrase();
        int length = Math.max(0, end - reasonStart);
        boolean same = usual.length() == length;
        for (int i = 0; same && i < length; i++) {
            same = usual.charAt(i) == (head[reasonStart + i] & 0xff);
        }
        return same ? known : new HttpResponseStatus(code, new String(head, reasonStart, length, StandardCharsets.ISO_8859_1));
    }

    /** A Content-Length's value (digits, or a list of the same digits), equal to any before it. */
    private static long contentLength(AsciiString value, long before) {
        long length = -1;
        int i = 0;
        int n = value.length();
        while (i < n) {
            long element = 0;
            int digits = 0;
            while (i < n && value.byteAt(i) >= '0' && value.byteAt(i) <= '9') {
                if (element > (Long.MAX_VALUE - 9) / 10) {
                    throw new Malformed("The response's Content-Length is too large.");
                }
                element = element * 10 + (value.byteAt(i++) - '0');
                digits++;
            }
            if (digits == 0 || (length >= 0 && element != length)) {
                throw new Malformed("The response has an invalid Content-Length.");
            }
            length = element;
            while (i < n && (value.byteAt(i) == ' ' || value.byteAt(i) == '\t')) {
                i++;
            }
            if (i < n) {
                if (value.byteAt(i) != ',') {
                    throw new Malformed("The response has an invalid Content-Length.");
                }
                i++;
                while (i < n && (value.byteAt(i) == ' ' || value.byteAt(i) == '\t')) {
                    i++;
                }
            }
        }
        if (length < 0 || (before >= 0 && before != length)) {
            throw new Malformed("The response has an invalid or differing Content-Length.");
        }
        return length;
    }

    /** Whether chunked is the final coding after this Transfer-Encoding line (the last non-empty element). */
    private static boolean lastCodingIsChunked(AsciiString value, boolean before) {
        int end = value.length();
        while (end > 0 && (value.byteAt(end - 1) == ' ' || value.byteAt(end - 1) == '\t' || value.byteAt(end - 1) == ',')) {
            end--;
        }
        if (end == 0) {
            return before;
        }
        int start = end;
        while (start > 0 && value.byteAt(start - 1) != ',' && value.byteAt(start - 1) != ' '
                && value.byteAt(start - 1) != '\t') {
            start--;
        }
        return value.subSequence(start, end, false).contentEqualsIgnoreCase(HttpHeaderValues.CHUNKED);
    }
}
