package io.trafficdistributor.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

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

        /** The backend sent nothing, and was sent nothing, for the time the user asked to watch. */
        void backendSilent();
    }

    /** The name of the response decoder in a backend connection's pipeline. */
    static final String DECODER = "http";

    private final BackendPool pool;
    private final ProxyMetrics metrics;
    private final BackendResponseDecoder decoder;
    private ChannelHandlerContext context;
    private User user;
    private boolean idle;
    private boolean closed;
    private boolean detached;
    /**
     * Silence watch: one timer per connection, left running across requests and re-armed for the remaining time
     * when it fires early, so a request costs no timer of its own (scheduling and cancelling one per request cost
     * about 1.5 % of the event loops' time).
     */
    private long silenceLimitNanos;
    private long lastActivityNanos;
    private long timerDeadlineNanos;
    private ScheduledFuture<?> silenceTimer;

    BackendConnection(BackendPool pool, ProxyMetrics metrics, BackendResponseDecoder decoder) {
        this.pool = pool;
        this.metrics = metrics;
        this.decoder = decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    Channel channel() {
        return context.channel();
    }

    /** Before a request is written: whether it is a HEAD, whose response has no body whatever its head says. */
    void expectResponseTo(boolean headRequest) {
        decoder.expectResponseTo(headRequest);
    }

    BackendPool pool() {
        return pool;
    }

    /** Tells the user when nothing moves either way for {@code millis}, counted from now and from each read or touch. */
    void watchSilence(long millis) {
        long now = System.nanoTime();
        silenceLimitNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lastActivityNanos = now;
        long deadline = now + silenceLimitNanos;
        if (silenceTimer == null || deadline - timerDeadlineNanos < 0) {
            if (silenceTimer != null) {
                silenceTimer.cancel(false);
            }
            armSilenceTimer(deadline, silenceLimitNanos);
        }
    }

    /** Something moved (a request body's part was sent): the silence counts from now. */
    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    private void armSilenceTimer(long deadline, long delayNanos) {
        timerDeadlineNanos = deadline;
        silenceTimer = context.executor().schedule(this::silenceTimerFired, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void silenceTimerFired() {
        silenceTimer = null;
        User current = user;
        if (current == null || silenceLimitNanos == 0 || closed) {
            return; // nobody is waiting: the next request arms it again
        }
        if (!context.channel().config().isAutoRead()) {
            lastActivityNanos = System.nanoTime(); // paused by us for a slow client: not the backend's silence
        }
        long deadline = lastActivityNanos + silenceLimitNanos;
        long remaining = deadline - System.nanoTime();
        if (remaining > 0) {
            armSilenceTimer(deadline, remaining);
            return;
        }
        current.backendSilent();
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
        silenceLimitNanos = 0;
        idle = true;
        context.channel().config().setAutoRead(true); // so a close by the backend is seen at once
    }

    void leaveIdle() {
        idle = false;
    }

    /** Back to the pool for the next request, or closed when it cannot carry one. */
    void release(boolean reusable) {
        user = null;
        silenceLimitNanos = 0;
        if (reusable && usable()) {
            pool.release(this);
        } else {
            context.channel().close();
        }
    }

    /** The connection now carries a tunnel and leaves its pool's count. */
    void detach() {
        user = null;
        silenceLimitNanos = 0;
        if (silenceTimer != null) {
            silenceTimer.cancel(false);
        }
        detached = true;
        pool.detach(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivityNanos = System.nanoTime();
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
