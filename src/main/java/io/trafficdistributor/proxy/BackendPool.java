package io.trafficdistributor.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.tls.BackendTls;

/**
 * The keep-alive connections of one event loop to one backend server (scheme, host, port): idle ones are reused
 * newest first; at most {@code max-connections-per-backend} are open; a request that finds them all busy waits
 * for one (its exchange bounds the wait by {@code connectMillis}). Used only on its event loop, so nothing here
 * is synchronised.
 */
final class BackendPool {

    /** What asked for a connection: told once, on the pool's event loop. */
    interface Waiter {
        void connected(BackendConnection connection, boolean reused);

        void connectFailed(Throwable cause);
    }

    private final EventLoop loop;
    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private final boolean https;
    private final String host;
    private final int port;
    private final InetSocketAddress address;
    private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int open; // connected or connecting
    private int connectMillisOfWaiters = 3000;

    BackendPool(EventLoop loop, ProxySettings settings, ProxyMetrics metrics, CompiledBackend backend) {
        this.loop = loop;
        this.settings = settings;
        this.metrics = metrics;
        this.https = backend.https();
        this.host = backend.host();
        this.port = backend.port();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        InetSocketAddress resolved;
        try {
            resolved = literal == null ? InetSocketAddress.createUnresolved(host, port)
                    : new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
        } catch (UnknownHostException e) {
            resolved = InetSocketAddress.createUnresolved(host, port);
        }
        this.address = resolved;
    }

    static String key(CompiledBackend backend) {
        return (backend.https() ? "https://" : "http://") + backend.host() + ":" + backend.port();
    }

    /**
     * Hands {@code waiter} a connection: an idle one, else a new one while under the limit, else the next one
     * given back. {@code fresh} skips the idle ones (one of them just turned out to be closed by the backend).
     *
     * @return false when the waiter was queued (all connections busy)
     */
    boolean acquire(Waiter waiter, int connectMillis, boolean fresh) {
        if (!fresh) {
            BackendConnection connection;
            while ((connection = idle.pollFirst()) != null) {
                if (connection.usable()) {
                    connection.leaveIdle();
                    waiter.connected(connection, true);
                    return true;
                }
                connection.channel().close();
            }
        }
        if (open < settings.maxConnectionsPerBackend()) {
            connect(waiter, connectMillis);
            return true;
        }
        connectMillisOfWaiters = connectMillis;
        waiting.addLast(waiter);
        return false;
    }

    /** A waiter that gave up (its time ran out, or its client left). */
    void cancel(Waiter waiter) {
        waiting.remove(waiter);
    }

    /** A connection whose exchange is over and that can carry another request. */
    void release(BackendConnection connection) {
        Waiter next = waiting.pollFirst();
        if (next != null) {
            next.connected(connection, true);
            return;
        }
        connection.enterIdle();
        idle.addFirst(connection);
    }

    /** A connection closed, idle or not. */
    void closed(BackendConnection connection) {
        idle.remove(connection);
        detach(connection);
    }

    /** A connection that became a tunnel, or closed: it no longer counts, and a waiter may open one instead. */
    void detach(BackendConnection connection) {
        open--;
        Waiter next = waiting.pollFirst();
        if (next != null) {
            connect(next, connectMillisOfWaiters);
        }
    }

    private void connect(Waiter waiter, int connectMillis) {
        open++;
        BackendResponseDecoder decoder = new BackendResponseDecoder();
        BackendConnection connection = new BackendConnection(this, metrics, decoder);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(settings.channels())
                .resolver(settings.resolver())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (https) {
                            channel.pipeline().addLast("tls",
                                    BackendTls.handler(settings.backendTls(), channel.alloc(), host, port, connectMillis));
                        }
                        channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, settings.backendKeepAliveMillis(),
                                TimeUnit.MILLISECONDS));
                        // Responses are decoded by Netty; requests go out as bytes the exchange writes (Http1Writer).
                        channel.pipeline().addLast(BackendConnection.DECODER, decoder);
                        channel.pipeline().addLast("backend", connection);
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.addListener(connected -> {
            if (!connected.isSuccess()) {
                open--;
                waiter.connectFailed(connected.cause());
                return;
            }
            Channel channel = connecting.channel();
            channel.closeFuture().addListener(closed -> connection.onClosed());
            metrics.backendConnections.incrementAndGet();
            SslHandler tls = https ? channel.pipeline().get(SslHandler.class) : null;
            if (tls == null) {
                waiter.connected(connection, false);
                return;
            }
            tls.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    waiter.connected(connection, false);
                } else {
                    channel.close();
                    waiter.connectFailed(handshake.cause());
                }
            });
        });
    }
}
