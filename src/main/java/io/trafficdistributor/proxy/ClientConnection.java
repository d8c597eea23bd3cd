package io.trafficdistributor.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What the proxy does to one client connection below Vert.x's HTTP layer, in its Netty pipeline:
 * <ul>
 * <li>refuses a request with both {@code Content-Length} and {@code Transfer-Encoding}, where Netty would drop
 * the length and go on, or with a transfer coding other than chunked, where Netty would take the body for none
 * (400, connection closed): a front proxy and a backend that disagree on where a request ends is how requests
 * are smuggled;</li>
 * <li>answers 408 and closes when a request head has not fully arrived within the header timeout (counted
 * from the connection's start, and from the first byte of each later request), so slow-drip clients cannot
 * hold connections;</li>
 * <li>knows how many requests are in flight, so that on shutdown it closes the connection as soon as it is
 * idle, after marking the last response {@code Connection: close}.</li>
 * </ul>
 * All state is touched only on the connection's event loop.
 */
final class ClientConnection {

    private final Channel channel;
    private final long headerTimeoutMillis;
    private final Runnable onHeaderTimeout;
    /** Requests whose head arrived, and responses fully written: in flight is their difference. */
    private long requests;
    private long responses;
    private boolean upgraded;
    private boolean draining;

    private ClientConnection(Channel channel, Duration headerTimeout, Runnable onHeaderTimeout) {
        this.channel = channel;
        this.headerTimeoutMillis = headerTimeout.toMillis();
        this.onHeaderTimeout = onHeaderTimeout;
    }

    /**
     * Installs the handlers on a connection Vert.x has just set up, before it has read anything (HTTP/1.x
     * pipeline, h2c off), and returns the connection's handle.
     */
    static ClientConnection install(HttpConnection connection, HttpServerOptions options, Duration headerTimeout,
            Runnable onHeaderTimeout) {
        Channel channel = ((ConnectionBase) connection).channel();
        ClientConnection state = new ClientConnection(channel, headerTimeout, onHeaderTimeout);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.replace("httpDecoder", "httpDecoder", state.new Decoder(options));
        pipeline.addBefore("handler", "td-in-flight", state.new InFlight());
        return state;
    }

    Channel channel() {
        return channel;
    }

    /** Stops taking requests: closes now if idle, else after the response in progress. Any thread. */
    void drain() {
        channel.eventLoop().execute(() -> {
            draining = true;
            if (idle()) {
                channel.close();
            }
        });
    }

    private boolean idle() {
        return requests == responses && !upgraded;
    }

    /** Vert.x's request decoder, stricter on framing and with a deadline for each request head. */
    private final class Decoder extends VertxHttpRequestDecoder {

        private ChannelHandlerContext context;
        private boolean awaitingHead = true;
        /** A request head is due: the connection is new, or the next request's first byte has arrived. */
        private boolean headDue;
        /** When the due head's deadline started ({@link System#nanoTime()}). */
        private long headDueSince;
        /**
         * At most one timer per connection, left running across requests and re-armed for the remaining time when
         * it fires early: scheduling and cancelling one per request cost about 1 % of the event loops' time.
         */
        private ScheduledFuture<?> headerTimer;

        Decoder(HttpServerOptions options) {
            super(options);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            context = ctx;
            headDue(); // from the connection's start: a client that connects and sends nothing is cut too
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            // Thrown while the head is parsed: the decoder turns it into a failed request and discards the rest of
            // the connection's bytes, and ProxyVerticle answers 400 and closes.
            throw new FramingException("A request must not have both Content-Length and Transfer-Encoding.");
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage message) {
            // Asked once the head is parsed. Netty would take a body of any coding but chunked for no body, and
            // parse its bytes as the next request (RFC 9112 §6.1: chunked must be the final coding).
            String coding = message.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
            if (coding != null && !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding.trim())) {
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
            if (!headDue || !channel.isActive()) {
                return; // no head pending: the next request's first byte arms a new timer
            }
            long remainingNanos = headDueSince + TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis) - System.nanoTime();
            if (remainingNanos > 0) {
                // Armed for an earlier request: this head's own deadline is later.
                headerTimer = context.executor().schedule(this::headerTimerFired, remainingNanos, TimeUnit.NANOSECONDS);
                return;
            }
            onHeaderTimeout.run();
            if (requests != responses) {
                channel.close(); // a response is still being written: no room for ours
                return;
            }
            // Written below the response encoder, as raw bytes: there is no request for Vert.x to answer.
            byte[] body = ("The request head did not arrive within " + headerTimeoutMillis + " ms.\n")
                    .getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 408 " + HttpResponseStatus.REQUEST_TIMEOUT.reasonPhrase() + "\r\n"
                    + "content-type: text/plain; charset=utf-8\r\n"
                    + "content-length: " + body.length + "\r\n"
                    + "connection: close\r\n\r\n";
            ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1), body);
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A request whose framing the proxy refuses; its message is the answer's body. */
    static final class FramingException extends IllegalArgumentException {
        FramingException(String message) {
            super(message);
        }
    }

    /** Counts request heads in and complete responses out; closes a draining connection once idle. */
    private final class InFlight extends ChannelDuplexHandler {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest) {
                requests++;
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse response) {
                if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    upgraded = true; // a WebSocket now: it stays open until the grace period ends
                } else if (draining) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            if (msg instanceof LastHttpContent) {
                responses++;
                if (draining && idle()) {
                    ChannelPromise written = promise.unvoid();
                    written.addListener(ChannelFutureListener.CLOSE);
                    ctx.write(msg, written);
                    return;
                }
            }
            super.write(ctx, msg, promise);
        }
    }
}
