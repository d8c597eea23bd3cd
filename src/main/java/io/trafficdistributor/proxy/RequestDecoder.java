package io.trafficdistributor.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Netty's HTTP/1.1 request decoder (no aggregation: bodies pass as they arrive), stricter on framing, and with
 * a deadline for each request head:
 * <ul>
 * <li>a request with both {@code Content-Length} and {@code Transfer-Encoding}, where Netty would drop the
 * length and go on, or with a transfer coding other than chunked, is refused: a front proxy and a backend that
 * disagree on where a request ends is how requests are smuggled. Netty itself refuses differing
 * Content-Lengths, bare-LF line endings and malformed chunks; every such failure becomes a 400 with its reason
 * in {@link ClientHandler} and the decoder discards the rest of the connection's bytes;</li>
 * <li>when a request head has not fully arrived within the header timeout (counted from the connection's start,
 * and from the first byte of each later request), the client gets 408 and the connection closes, so slow-drip
 * clients cannot hold connections.</li>
 * </ul>
 */
final class RequestDecoder extends HttpRequestDecoder {

    private final long headerTimeoutMillis;
    private final Runnable onHeaderTimeout;
    /** Whether a response is still being written on the connection (then a timeout just closes it). */
    private final BooleanSupplier responding;
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
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxRequestLine())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true) // the trailers: Netty's headers, which also refuse framing fields there
                .setHeadersFactory(new FlatHeaders.Factory(true)));
        this.headerTimeoutMillis = settings.headerTimeoutMillis();
        this.onHeaderTimeout = onHeaderTimeout;
        this.responding = responding;
    }

    /** A request whose framing the proxy refuses; its message is the answer's body. */
    static final class FramingException extends IllegalArgumentException {
        FramingException(String message) {
            super(message);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        context = ctx;
        headDue(); // from the connection's start: a client that connects and sends nothing is cut too
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new FramingException("A request must not have both Content-Length and Transfer-Encoding.");
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        // Asked once the head is parsed. Netty would take a body of any coding but chunked for no body, and parse
        // its bytes as the next request (RFC 9112 §6.1: chunked must be the final coding, and the only one here).
        String coding = message.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (coding != null && (!HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding.trim())
                || message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING).size() > 1)) {
            throw new FramingException("Transfer-Encoding other than chunked is not accepted.");
        }
        return super.isContentAlwaysEmpty(message);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (awaitingHead && !headDue && in.isReadable()) {
            headDue(); // the first byte of the next request on a kept-alive connection
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof HttpRequest) {
                awaitingHead = false;
                headDue = false;
            }
            if (decoded instanceof LastHttpContent) {
                awaitingHead = true;
            }
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelHeaderTimer();
        super.handlerRemoved0(ctx);
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
