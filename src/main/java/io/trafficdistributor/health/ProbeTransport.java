package io.trafficdistributor.health;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.trafficdistributor.tls.BackendTls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/**
 * Opens the probes' connections, one fresh connection per probe, on bare Netty: the transport, event loops and DNS
 * resolver of a Vert.x instance, without its HTTP or TCP client on top. A probe is then a connect, one request
 * written as bytes and a status line read, with no connection pool, endpoint, context or future chain around
 * them; that layer was most of a probe's CPU and kept the JIT compiling for minutes after a start.
 */
final class ProbeTransport {

    private final EventLoopGroup loops;
    private final ChannelFactory<? extends Channel> channels;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final Optional<String> trustCertificates;
    /** Made by the first https probe: loading a trust store takes a while, and most services never need it. */
    private volatile SslContext tls;

    /** @param trustCertificates a PEM file of the trusted authorities, else the JVM's trust store */
    ProbeTransport(EventLoopGroup loops, ChannelFactory<? extends Channel> channels,
            AddressResolverGroup<InetSocketAddress> resolver, Optional<String> trustCertificates) {
        this.loops = loops;
        this.channels = channels;
        this.resolver = resolver;
        this.trustCertificates = trustCertificates;
    }

    /** The event loops, socket channels (epoll when Vert.x uses it) and non-blocking resolver of {@code vertx}. */
    static ProbeTransport of(Vertx vertx, Optional<String> trustCertificates) {
        VertxInternal internal = (VertxInternal) vertx;
        return new ProbeTransport(internal.getEventLoopGroup(), internal.transport().channelFactory(false),
                internal.nettyAddressResolverGroup(), trustCertificates);
    }

    /**
     * Starts a connection to the target, TLS first when {@code withTls} and the target is https (SNI and the
     * certificate's name checked), then {@code handlers}. Connecting, the handshake included, fails after
     * {@code timeoutMillis}.
     */
    ChannelFuture connect(ProbeTarget target, int timeoutMillis, boolean withTls, ChannelHandler... handlers) {
        boolean secure = withTls && target.https();
        return new Bootstrap()
                .group(loops)
                .channelFactory(channels)
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (secure) {
                            channel.pipeline().addLast(BackendTls.handler(tls(), channel.alloc(), target.host(),
                                    target.port(), timeoutMillis));
                        }
                        channel.pipeline().addLast(handlers);
                    }
                })
                .connect(socketAddress(target));
    }

    /**
     * The outcome of a probe on {@code connecting}, bounded: failed with "{@code what} after N ms" and the connection
     * closed unless it is decided within {@code timeoutMillis}, failed with the cause if the connection cannot be made.
     * The timer goes once the outcome is decided; whatever else decides it is the caller's.
     */
    static Future<Void> bounded(ChannelFuture connecting, Promise<Void> outcome, int timeoutMillis, String what) {
        Channel channel = connecting.channel();
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (outcome.tryFail(what + " after " + timeoutMillis + " ms")) {
                channel.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        connecting.addListener(connected -> {
            if (!connected.isSuccess()) {
                outcome.tryFail(connected.cause());
            }
        });
        Future<Void> result = outcome.future();
        result.onComplete(done -> timer.cancel(false));
        return result;
    }

    private SslContext tls() {
        SslContext context = tls;
        if (context == null) {
            synchronized (this) {
                context = tls;
                if (context == null) {
                    try {
                        context = BackendTls.context(trustCertificates);
                    } catch (SSLException e) {
                        throw new IllegalStateException("cannot read td.proxy.tls.trust-certificates: " + e.getMessage(), e);
                    }
                    tls = context;
                }
            }
        }
        return context;
    }

    /** An IP literal as is; a name unresolved, for the resolver (never the blocking one of the JDK). */
    static InetSocketAddress socketAddress(ProbeTarget target) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(target.host());
        if (literal != null) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(target.host(), literal), target.port());
            } catch (UnknownHostException e) {
                // a literal of a wrong length: cannot happen for what NetUtil parsed
            }
        }
        return InetSocketAddress.createUnresolved(target.host(), target.port());
    }
}
