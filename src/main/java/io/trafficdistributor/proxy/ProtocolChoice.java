package io.trafficdistributor.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.concurrent.ScheduledFuture;

/** How a client connection's HTTP version is chosen, before anything of HTTP is read: by ALPN, or by the preface. */
final class ProtocolChoice {

    static final String NAME = "protocol";

    private ProtocolChoice() {
    }

    /**
     * HTTPS: once the handshake is done, the protocol ALPN agreed on ({@code h2}, else HTTP/1.1, also for a client
     * without ALPN) decides the rest of the pipeline; this handler then leaves it.
     */
    static final class Alpn extends ApplicationProtocolNegotiationHandler {
        private final ProxyWorker worker;

        Alpn(ProxyWorker worker) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.worker = worker;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2Connection.configure(ctx.pipeline(), worker, true);
            } else {
                ProxyListener.http1(ctx.pipeline(), worker, true);
            }
        }

        /** {@link TlsHandshakes} has counted it; a failed handshake is no log line (Netty's would be a warning). */
        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset or a record that is not TLS, mostly: as the HTTP/1.1 handler would
        }
    }

    /**
     * The plain port with {@code td.proxy.h2c} on: a connection whose first bytes are the HTTP/2 connection preface
     * ({@code PRI * HTTP/2.0}, RFC 9113 §3.4, "prior knowledge") is HTTP/2, any other HTTP/1.1; the bytes read
     * so far go on to the chosen codec. Until that is known, the header timeout applies.
     */
    static final class PriorKnowledge extends ByteToMessageDecoder {
        private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

        private final ProxyWorker worker;
        private ScheduledFuture<?> timer;

        PriorKnowledge(ProxyWorker worker) {
            this.worker = worker;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            long timeout = worker.settings.headerTimeoutMillis();
            if (timeout > 0) {
                timer = ctx.executor().schedule(() -> {
                    worker.metrics.headerTimeout();
                    ctx.close();
                }, timeout, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
            int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean preface = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length);
            if (preface && length < PREFACE.readableBytes()) {
                return; // so far like the preface: wait for the rest of it
            }
            if (preface) {
                Http2Connection.configure(ctx.pipeline(), worker, false);
            } else {
                ProxyListener.http1(ctx.pipeline(), worker, false);
            }
            ctx.pipeline().remove(this); // hands what it has read to the codec just added
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }
}
