package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.Http1Parsing.LF;
import static io.trafficdistributor.proxy.Http1Parsing.TOO_LARGE;
import static io.trafficdistributor.proxy.Http1Parsing.headerLines;
import static io.trafficdistributor.proxy.Http1Parsing.lineEnd;
import static io.trafficdistributor.proxy.Http1Parsing.skipEmptyLines;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.trafficdistributor.proxy.Http1Parsing.HeadSearch;
import io.trafficdistributor.proxy.Http1Parsing.Malformed;

/**
 * A client connection's HTTP/1.x request reader, byte level, strict on framing, with a deadline for each request
 * head. It finds the end of a head in the bytes read, copies it once and splits it into a {@link FlatHeaders}
 * whose names and values are views of that copy, then passes the body on as slices of what was read: the same
 * {@code HttpRequest}, {@code HttpContent} and {@code LastHttpContent} Netty's {@code HttpRequestDecoder} made,
 * at a fraction of its cost (it decoded every character into builders and strings, and checked them again).
 * <ul>
 * <li>Refused, as the head's failure ({@link ClientHandler} answers 400 with the reason and closes; nothing more is
 * read from the connection): lines not ended by CRLF, a bare CR, a NUL; a method that is not a token; a request
 * line not {@code method SP target SP HTTP/1.x}; a folded header line, a name that is not a token right before
 * its colon, a value with a control character; more than one {@code Content-Length} or one that is not digits;
 * both {@code Content-Length} and {@code Transfer-Encoding}, or a transfer coding other than chunked alone: a front
 * proxy and a backend that disagree on where a request ends is how requests are smuggled. A request line longer
 * than {@code td.proxy.max-request-line} is a 414 and a header section larger than
 * {@code td.proxy.max-header-size} a 431.</li>
 * <li>A chunked body whose size line is not hex digits (then extensions) ended by CRLF, is longer than the request
 * line limit, or whose data is not followed by CRLF, and trailers with framing fields ({@link Http1Body}), end as a
 * failed {@code HttpContent}: a 400, counted as bad framing.</li>
 * <li>When a request head has not fully arrived within the header timeout (counted from the connection's start,
 * and from the first byte of each later request), the client gets 408 and the connection closes, so slow-drip
 * clients cannot hold connections.</li>
 * </ul>
 */
final class RequestDecoder extends ByteToMessageDecoder {


    private enum State { HEAD, BODY, BROKEN }

    private final int maxRequestLine;
    private final int maxHeaderSize;
    private final long headerTimeoutMillis;
    private final Runnable onHeaderTimeout;
    /** Whether a response is still being written on the connection (then a timeout just closes it). */
    private final BooleanSupplier responding;
    private final HeadSearch search = new HeadSearch();
    private final Http1Body body;
    private State state = State.HEAD;
    private ChannelHandlerContext context;
    private boolean awaitingHead = true;
    /** A request head is due: the connection is new, or the next request's first byte has arrived. */
    private boolean headDue;
    /** When the due head's deadline started ({@link System#nanoTime()}). */
    private long headDueSince;
    /**
     * At most one timer per connection, left running across requests and re-armed for the remaining time when it
     * fires early: scheduling and cancelling one per request cost about 1 % of the event loops' time.
     */
    private ScheduledFuture<?> headerTimer;

    RequestDecoder(ProxySettings settings, Runnable onHeaderTimeout, BooleanSupplier responding) {
        this.maxRequestLine = settings.maxRequestLine();
        this.maxHeaderSize = settings.maxHeaderSize();
        this.headerTimeoutMillis = settings.headerTimeoutMillis();
        this.onHeaderTimeout = onHeaderTimeout;
        this.responding = responding;
        // A chunk size line shares the request line's limit, the trailers the header section's.
        this.body = new Http1Body(true, maxRequestLine, maxHeaderSize);
    }

    /** A request whose framing the proxy refuses; its message is the answer's body. */
    static final class FramingException extends IllegalArgumentException {
        FramingException(String message) {
            super(message);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        headDue(); // from the connection's start: a client that connects and sends nothing is cut too
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (awaitingHead && !headDue && in.isReadable()) {
            headDue(); // the first byte of the next request on a kept-alive connection
        }
        try {
            switch (state) {
                case HEAD -> head(in, out);
                case BODY -> {
                    if (body.read(in, out)) {
                        requestEnded();
                    }
                }
                case BROKEN -> in.skipBytes(in.readableBytes());
            }
        } catch (RuntimeException e) { // Malformed, FramingException, a too long line or head
            boolean inHead = state == State.HEAD;
            state = State.BROKEN;
            in.skipBytes(in.readableBytes());
            if (inHead) {
                HttpRequest refused = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request",
                        EmptyHttpHeaders.INSTANCE);
                refused.setDecoderResult(DecoderResult.failure(e));
                out.add(refused);
            } else {
                HttpContent broken = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
                broken.setDecoderResult(DecoderResult.failure(e));
                out.add(broken);
            }
        }
    }

    // ---- the head ---------------------------------------------------------------------------------------------

    private void head(ByteBuf in, List<Object> out) {
        skipEmptyLines(in); // RFC 9112 §2.2
        int end = search.end(in, maxRequestLine + maxHeaderSize);
        if (end == -1) {
            // Only a part of the head so far. Its first line is looked at once the part is longer than a request
            // line may be, and then only that far: a head dripped a byte at a time is not searched again each time.
            if (in.readableBytes() > maxRequestLine
                    && in.indexOf(in.readerIndex(), in.readerIndex() + maxRequestLine + 1, LF) < 0) {
                throw new TooLongHttpLineException("The request line is longer than " + maxRequestLine + " bytes.");
            }
            return;
        }
        if (end == TOO_LARGE) {
            int lineEnd = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
            if (lineEnd < 0 || lineEnd - in.readerIndex() > maxRequestLine) {
                throw new TooLongHttpLineException("The request line is longer than " + maxRequestLine + " bytes.");
            }
            throw new TooLongHttpHeaderException("The request header section is larger than " + maxHeaderSize + " bytes.");
        }
        byte[] head = new byte[end - in.readerIndex()];
        in.readBytes(head);
        int lineEnd = lineEnd(head, 0, true);
        if (lineEnd > maxRequestLine) {
            throw new TooLongHttpLineException("The request line is longer than " + maxRequestLine + " bytes.");
        }
        if (head.length - lineEnd - 1 > maxHeaderSize) {
            throw new TooLongHttpHeaderException("The request header section is larger than " + maxHeaderSize + " bytes.");
        }
        int stop = lineEnd - 1; // before the CR
        int methodEnd = 0;
        while (methodEnd < stop && Http1Parsing.isToken(head[methodEnd])) {
            methodEnd++;
        }
        int targetEnd = methodEnd + 1;
        while (targetEnd < stop && head[targetEnd] != ' ') {
            targetEnd++;
        }
        if (methodEnd == 0 || head[methodEnd] != ' ' || targetEnd == methodEnd + 1 || targetEnd != stop - 9) {
            throw new Malformed("The request line is not: method, a space, target, a space, HTTP version.");
        }
        HttpMethod method = method(head, methodEnd);
        String target = new String(head, methodEnd + 1, targetEnd - methodEnd - 1, StandardCharsets.ISO_8859_1);
        HttpVersion version = version(head, targetEnd + 1);
        FlatHeaders headers = new FlatHeaders();
        headerLines(head, lineEnd + 1, true, headers);
        long contentLength = -1;
        int transferCodings = 0;
        for (int i = 0; i < headers.size(); i++) {
            CharSequence name = headers.name(i);
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    throw new FramingException("The request has conflicting or invalid Content-Length headers.");
                }
                contentLength = contentLength(headers.value(i));
            } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
                if (++transferCodings > 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(headers.value(i))) {
                    throw new FramingException("Transfer-Encoding other than chunked is not accepted.");
                }
            }
        }
        if (transferCodings > 0 && contentLength >= 0) {
            throw new FramingException("A request must not have both Content-Length and Transfer-Encoding.");
        }
        out.add(new DefaultHttpRequest(version, method, target, headers));
        awaitingHead = false;
        headDue = false;
        if (transferCodings > 0) {
            body.chunked();
            state = State.BODY;
        } else if (contentLength > 0) {
            body.length(contentLength);
            state = State.BODY;
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            requestEnded();
        }
    }

    private static HttpMethod method(byte[] head, int length) {
        switch (length) {
            case 3:
                if (head[0] == 'G' && head[1] == 'E' && head[2] == 'T') {
                    return HttpMethod.GET;
                }
                if (head[0] == 'P' && head[1] == 'U' && head[2] == 'T') {
                    return HttpMethod.PUT;
                }
                break;
            case 4:
                if (head[0] == 'P' && head[1] == 'O' && head[2] == 'S' && head[3] == 'T') {
                    return HttpMethod.POST;
                }
                if (head[0] == 'H' && head[1] == 'E' && head[2] == 'A' && head[3] == 'D') {
                    return HttpMethod.HEAD;
                }
                break;
            default:
                break;
        }
        return HttpMethod.valueOf(new String(head, 0, length, StandardCharsets.US_ASCII)); // the others, or a new one
    }

    private static HttpVersion version(byte[] head, int at) {
        if (head[at] == 'H' && head[at + 1] == 'T' && head[at + 2] == 'T' && head[at + 3] == 'P' && head[at + 4] == '/'
                && head[at + 5] == '1' && head[at + 6] == '.') {
            if (head[at + 7] == '1') {
                return HttpVersion.HTTP_1_1;
            }
            if (head[at + 7] == '0') {
                return HttpVersion.HTTP_1_0;
            }
        }
        throw new Malformed("The request's HTTP version is not HTTP/1.1 or HTTP/1.0.");
    }

    /** A Content-Length: digits only (RFC 9110 §8.6), no list; one per request. */
    private static long contentLength(CharSequence value) {
        int n = value.length();
        if (n == 0 || n > 18) {
            throw new FramingException("The request has conflicting or invalid Content-Length headers.");
        }
        long length = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new FramingException("The request has conflicting or invalid Content-Length headers.");
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    // ---- the body ---------------------------------------------------------------------------------------------

    private void requestEnded() {
        awaitingHead = true;
        state = State.HEAD;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelHeaderTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelHeaderTimer();
        super.channelInactive(ctx);
    }

    private void headDue() {
        headDue = true;
        headDueSince = System.nanoTime();
        if (headerTimeoutMillis > 0 && headerTimer == null) {
            headerTimer = context.executor().schedule(this::headerTimerFired, headerTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void cancelHeaderTimer() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    private void headerTimerFired() {
        headerTimer = null;
        if (!headDue || !context.channel().isActive()) {
            return; // no head pending: the next request's first byte arms a new timer
        }
        long remainingNanos = headDueSince + TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis) - System.nanoTime();
        if (remainingNanos > 0) {
            // Armed for an earlier request: this head's own deadline is later.
            headerTimer = context.executor().schedule(this::headerTimerFired, remainingNanos, TimeUnit.NANOSECONDS);
            return;
        }
        onHeaderTimeout.run();
        if (responding.getAsBoolean()) {
            context.channel().close(); // a response is still being written: no room for ours
            return;
        }
        // Written below the response encoder, as raw bytes: there is no request to answer.
        byte[] body = ("The request head did not arrive within " + headerTimeoutMillis + " ms.\n")
                .getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 408 Request Timeout\r\n"
                + "content-type: text/plain; charset=utf-8\r\n"
                + "content-length: " + body.length + "\r\n"
                + "connection: close\r\n\r\n";
        ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1), body);
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
