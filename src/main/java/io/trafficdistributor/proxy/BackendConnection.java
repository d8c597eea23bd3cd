package io.trafficdistributor.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection to a backend, the last handler of its pipeline: hands what the backend sends to the exchange
 * using it, and tells its pool when it closes. Idle in its pool, it only waits to expire
 * ({@code td.proxy.backend-keep-alive}) or to be closed by the backend.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    /** What the connection reports to the exchange using it. */
    interface User {
        void backendRead(HttpObject message);

        void backendReadComplete();

        void backendClosed();

        void backendWritable();
    }

    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private ChannelHandlerContext context;
    private User user;
    private boolean idle;
    private boolean closed;
    private boolean detached;

    BackendConnection(BackendPool pool, ProxyMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    Channel channel() {
        return context.channel();
    }

    BackendPool pool() {
        return pool;
    }

    void use(User user) {
        this.user = user;
        context.channel().config().setAutoRead(true);
    }

    /** Whether an idle connection can take a request: open, and the backend sent nothing unasked meanwhile. */
    boolean usable() {
        return !closed && context.channel().isActive();
    }

    void enterIdle() {
        user = null;
        idle = true;
        context.channel().config().setAutoRead(true); // so a close by the backend is seen at once
    }

    void leaveIdle() {
        idle = false;
    }

    /** Back to the pool for the next request, or closed when it cannot carry one. */
    void release(boolean reusable) {
        user = null;
        if (reusable && usable()) {
            pool.release(this);
        } else {
            context.channel().close();
        }
    }

    /** The connection now carries a tunnel and leaves its pool's count. */
    void detach() {
        user = null;
        detached = true;
        pool.detach(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        User current = user;
        if (current == null || !(msg instanceof HttpObject message)) {
            // Nothing was asked: a backend that talks out of turn cannot be trusted with the next request.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        current.backendRead(message);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        User current = user;
        if (current != null) {
            current.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        User current = user;
        if (current != null && ctx.channel().isWritable()) {
            current.backendWritable();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (idle) {
                ctx.close(); // unused for td.proxy.backend-keep-alive
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset, a TLS failure, or a response the codec could not parse: the exchange sees the close
    }

    /** Called once, when the channel has closed: its pool and the gauge are told, tunnel or not. */
    void onClosed() {
        closed = true;
        metrics.backendConnections.decrementAndGet();
        if (!detached) {
            pool.closed(this);
        }
    }

    /**
     * The exchange hears of the close only here, after the decoder has passed on what it still held: for a response
     * whose body runs until the connection closes, that close is its end, not a failure.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        User current = user;
        user = null;
        if (current != null) {
            current.backendClosed();
        }
        super.channelInactive(ctx);
    }
}
