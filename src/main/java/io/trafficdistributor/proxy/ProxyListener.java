package io.trafficdistributor.proxy;

import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.trafficdistributor.routing.Routes;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.VertxEventLoopGroup;

/**
 * The proxy's listening sockets (plain HTTP, and HTTPS when on) and each client connection's pipeline, read top to
 * bottom: {@code guard} (connection cap, open-connections gauge), {@code idle} (idle timeout), on HTTPS
 * {@code sni} (picks the certificate by SNI, then becomes {@code tls}, the {@link io.netty.handler.ssl.SslHandler}),
 * {@code handshakes} (counts the handshake, then leaves) and {@code protocol} (waits for ALPN's choice, then leaves),
 * then for HTTP/1.1 {@code decoder} (HTTP/1.1 requests, strict framing, header timeout), {@code encoder} (the
 * proxy's own HTTP/1.1 answers; relayed responses are written past it as bytes, {@link Http1Writer}),
 * {@code client} (one request at a time into an {@link Exchange}); for HTTP/2 the frame codec, the
 * stream multiplexer and the connection's handler ({@link Http2Connection}), each stream with a {@code client} of
 * its own. On the plain port with {@code td.proxy.h2c} on, {@code protocol} looks for the HTTP/2 preface instead.
 * Both listeners share the event loops and their backend pools.
 * <p>
 * It runs on Netty directly, on event loops of the Vert.x instance Quarkus manages (its epoll transport, its
 * acceptor, its DNS resolver), so the service stays one Vert.x application; only the HTTP layer between socket
 * and exchange is the proxy's own, since Vert.x's HTTP objects cost a third of the proxy's throughput.
 */
final class ProxyListener {

    static final String REQUEST_DECODER = "decoder";
    static final String RESPONSE_ENCODER = "encoder";

    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private final ClientConnections connections;
    private final Map<EventLoop, ProxyWorker> workers = new IdentityHashMap<>();
    private final VertxEventLoopGroup group = new VertxEventLoopGroup();
    private final ClientGuard guard;
    private final EventLoopGroup acceptor;
    private final java.util.List<Channel> sockets = new java.util.ArrayList<>();

    ProxyListener(VertxInternal vertx, ProxySettings settings, ProxyMetrics metrics, Routes routes,
            io.trafficdistributor.tls.AcmeChallenges challenges, ClientConnections connections, int eventLoops) {
        this.settings = settings;
        this.metrics = metrics;
        this.connections = connections;
        this.guard = new ClientGuard(metrics, settings.maxConnections(), connections);
        Set<EventLoop> loops = new LinkedHashSet<>();
        for (int i = 0; i < eventLoops * 4 && loops.size() < eventLoops; i++) {
            loops.add(vertx.getEventLoopGroup().next());
        }
        for (EventLoop loop : loops) {
            group.addWorker(loop);
            workers.put(loop, new ProxyWorker(loop, settings, metrics, routes, challenges, connections));
        }
        this.acceptor = vertx.getAcceptorEventLoopGroup();
    }

    int eventLoops() {
        return workers.size();
    }

    /** Binds the plain HTTP port (the caller names a port in use). */
    void bind(String host, int port) throws Exception {
        bind(host, port, null);
    }

    /**
     * Binds a port: plain HTTP when {@code tls} is null, else HTTPS with certificates chosen by SNI from it (the
     * caller names a port in use).
     */
    void bind(String host, int port, HttpsFront tls) throws Exception {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, group)
                .channelFactory(settings.serverChannels())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ProxyWorker worker = workers.get(channel.eventLoop());
                        ChannelPipeline pipeline = channel.pipeline();
                        pipeline.addLast("guard", guard);
                        if (settings.idleTimeoutMillis() > 0) {
                            pipeline.addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeoutMillis(),
                                    TimeUnit.MILLISECONDS));
                        }
                        if (tls != null) {
                            pipeline.addLast(SniFront.NAME, new SniFront(tls.certificates(), metrics,
                                    tls.handshakeTimeoutMillis()));
                            pipeline.addLast(TlsHandshakes.NAME, tls.handshakes());
                            pipeline.addLast(ProtocolChoice.NAME, new ProtocolChoice.Alpn(worker));
                        } else if (settings.h2c()) {
                            pipeline.addLast(ProtocolChoice.NAME, new ProtocolChoice.PriorKnowledge(worker));
                        } else {
                            http1(pipeline, worker, false);
                        }
                    }
                });
        Channel socket = bootstrap.bind(host, port).sync().channel();
        sockets.add(socket);
        connections.listener(socket);
    }

    /** The rest of an HTTP/1.1 connection's pipeline: decoder, encoder, and the handler that takes its requests. */
    static void http1(ChannelPipeline pipeline, ProxyWorker worker, boolean secure) {
        ClientHandler client = new ClientHandler(worker, secure, false);
        pipeline.addLast(REQUEST_DECODER, new RequestDecoder(worker.settings, worker.metrics::headerTimeout,
                client::responding));
        pipeline.addLast(RESPONSE_ENCODER, new HttpResponseEncoder());
        pipeline.addLast("client", client);
    }

    void close() {
        for (Channel socket : sockets) {
            socket.close().syncUninterruptibly();
        }
    }

    /** What the HTTPS listener adds to the pipeline: the certificates to choose from, and its handshake limit. */
    record HttpsFront(io.trafficdistributor.tls.CertificateStore certificates, long handshakeTimeoutMillis,
            TlsHandshakes handshakes) {
    }
}
