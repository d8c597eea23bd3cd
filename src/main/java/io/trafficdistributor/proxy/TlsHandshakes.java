package io.trafficdistributor.proxy;

import java.nio.channels.ClosedChannelException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * Counts each HTTPS handshake by protocol and result ({@code td_tls_handshakes_total}), then leaves the pipeline.
 * Failure reasons are a small fixed set, never the client's text.
 */
@ChannelHandler.Sharable
final class TlsHandshakes extends ChannelInboundHandlerAdapter {

    static final String NAME = "handshakes";
    static final String NO_PROTOCOL = "-";

    private final ProxyMetrics metrics;

    TlsHandshakes(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                metrics.handshake(tls == null ? NO_PROTOCOL : tls.engine().getSession().getProtocol(), "ok");
            } else {
                metrics.handshake(NO_PROTOCOL, reason(done.cause()));
            }
            ctx.pipeline().remove(this);
        } else if (event instanceof SniCompletionEvent sni && !sni.isSuccess()) {
            metrics.handshake(NO_PROTOCOL, reason(sni.cause()));
        }
        super.userEventTriggered(ctx, event);
    }

    /** Why a handshake failed, as a metric label. */
    static String reason(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return "timeout";
        }
        if (cause instanceof NotSslRecordException) {
            return "not_tls";
        }
        if (cause instanceof ClosedChannelException) {
            return "closed";
        }
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage().toUpperCase(Locale.ROOT);
        if (message.contains("PROTOCOL") && (message.contains("UNSUPPORTED") || message.contains("NOT ENABLED")
                || message.contains("VERSION"))) {
            return "protocol_version";
        }
        if (message.contains("CIPHER")) {
            return "no_shared_cipher";
        }
        if (message.contains("TIMED OUT") || message.contains("TIMEOUT")) {
            return "timeout";
        }
        if (message.contains("CLOSED") || message.contains("RESET")) {
            return "closed";
        }
        return cause instanceof SSLException ? "handshake_error" : "other";
    }
}
