package io.trafficdistributor.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * A connection upgraded by the backend's {@code 101} (WebSocket, mostly): from then on bytes flow both ways
 * untouched, with back-pressure, until either side closes, which closes the other. One instance per direction.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private Tunnel(Channel peer) {
        this.peer = peer;
    }

    /**
     * Writes the {@code 101} to the client, then takes the HTTP handlers out of both pipelines. The relays go in
     * first, so that bytes the decoders had already read past the heads are passed on, not lost.
     */
    static void join(Channel client, HttpResponse switching, Channel backend) {
        client.writeAndFlush(switching);
        ChannelPipeline clientPipeline = client.pipeline();
        clientPipeline.addLast("tunnel", new Tunnel(backend));
        clientPipeline.remove(ClientHandler.class);
        clientPipeline.remove(ProxyListener.RESPONSE_ENCODER);
        clientPipeline.remove(ProxyListener.REQUEST_DECODER);
        ChannelPipeline backendPipeline = backend.pipeline();
        backendPipeline.addLast("tunnel", new Tunnel(client));
        backendPipeline.remove(BackendConnection.class);
        backendPipeline.remove(BackendConnection.DECODER);
        client.config().setAutoRead(true);
        backend.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg);
        Backpressure.pauseWhileFull(ctx.channel(), peer);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
    }

    /** A tunnel quiet both ways for {@code td.proxy.idle-timeout} is closed, like any idle client connection. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
