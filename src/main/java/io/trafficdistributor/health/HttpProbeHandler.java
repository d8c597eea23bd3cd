package io.trafficdistributor.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Promise;

/**
 * One HTTP probe on its own connection, after Netty's response decoder: writes the request once connected, notes
 * the status of the response head, and settles the outcome when the whole response has arrived (passed if the
 * status is expected), or when the connection fails or closes first. The body is read and dropped. Runs on the
 * connection's event loop, where its timer settles the outcome too, so the outcome is settled once.
 */
final class HttpProbeHandler extends ChannelInboundHandlerAdapter {

    private final ProbeTarget target;
    private final ProbeSettings settings;
    private final Promise<Void> outcome;
    private int status = -1;

    HttpProbeHandler(ProbeTarget target, ProbeSettings settings, Promise<Void> outcome) {
        this.target = target;
        this.settings = settings;
        this.outcome = outcome;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Behind TLS, the TLS handler holds it until the handshake is done.
        ctx.writeAndFlush(HttpCheck.request(ctx.alloc(), target, settings));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                settle(ctx, "invalid response: " + describe(object.decoderResult().cause()));
                return;
            }
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof LastHttpContent && status >= 0) {
                if (status / 100 == 1 && status != 101) {
                    status = -1; // an interim response (100 Continue, 103 Early Hints): the final one follows
                    return;
                }
                ExpectedStatuses expected = settings.expectedStatuses();
                settle(ctx, expected.matches(status) ? null : "status " + status + ", expected " + expected);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            fail(ctx, handshake.cause());
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settle(ctx, status < 0 ? "connection closed before a response" : "connection closed before the whole response");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        // A TLS failure arrives wrapped in a DecoderException; what the status view shows is the cause.
        Throwable shown = cause instanceof DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (outcome.tryFail(shown)) {
            ctx.close();
        }
    }

    /** Passed when {@code failure} is null; closes the connection if this settled the outcome (not the timer before). */
    private void settle(ChannelHandlerContext ctx, String failure) {
        boolean settled = failure == null ? outcome.tryComplete() : outcome.tryFail(failure);
        if (settled) {
            ctx.close();
        }
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
