package io.trafficdistributor.proxy;

import java.io.IOException;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The first handler of every client connection: the listener's connection cap (a connection over
 * {@code max-connections} is closed at once and counted) and the open-connections gauge. Counting on the channel's own open and close, whatever the connection became (a tunnel included),
 * means a slot is always given back.
 */
@ChannelHandler.Sharable
final class ClientGuard extends ChannelInboundHandlerAdapter {

    private final ProxyMetrics metrics;
    private final int maxConnections;
    private final ClientConnections connections;

    ClientGuard(ProxyMetrics metrics, int maxConnections, ClientConnections connections) {
        this.metrics = metrics;
        this.maxConnections = maxConnections;
        this.connections = connections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        int open = metrics.clientConnections.incrementAndGet();
        ctx.channel().closeFuture().addListener(closed -> metrics.clientConnections.decrementAndGet());
        if (open > maxConnections) {
            metrics.connectionRefused();
            ctx.close();
            return;
        }
        if (connections.draining()) {
            ctx.close(); // accepted just before the listener closed
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the client, or a handler's failure: the connection cannot go on either way.
        if (!(cause instanceof IOException)) {
            org.jboss.logging.Logger.getLogger(ClientGuard.class).debug("Client connection failed", cause);
        }
        ctx.close();
    }
}
