package io.trafficdistributor.proxy;

import java.net.InetSocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.trafficdistributor.config.TdConfig;

/**
 * The proxy listener's settings as plain values, read once at start: what every connection and exchange needs
 * without going through the configuration on the hot path.
 *
 * @param backendTls   the TLS client context for https backends (certificates and host names verified)
 * @param resolver     Vert.x's non-blocking DNS resolver, so a backend name never blocks an event loop
 * @param channels     the socket channels of Vert.x's transport (epoll on Linux, else NIO)
 * @param httpsAuthoritySuffix what follows the host in a redirect to https: {@code :8443}, or nothing for 443 (and
 *                     when the HTTPS listener is off: TLS is then ended in front of the service, on 443)
 * @param h2c          whether the plain port serves HTTP/2 with prior knowledge
 * @param http2MaxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS of HTTP/2 connections
 */
record ProxySettings(int maxRequestLine, int maxHeaderSize, long headerTimeoutMillis, long idleTimeoutMillis,
        int maxConnections, int maxConnectionsPerBackend, long backendKeepAliveMillis, int requestBuffer,
        long bodyTimeoutMillis, boolean accessLog, TrustedProxies trustedProxies, SslContext backendTls,
        AddressResolverGroup<InetSocketAddress> resolver, ChannelFactory<? extends Channel> channels,
        ChannelFactory<? extends ServerChannel> serverChannels, String httpsAuthoritySuffix, boolean h2c,
        int http2MaxConcurrentStreams) {

    static ProxySettings of(TdConfig.Proxy proxy, TrustedProxies trusted, SslContext backendTls,
            AddressResolverGroup<InetSocketAddress> resolver, ChannelFactory<? extends Channel> channels,
            ChannelFactory<? extends ServerChannel> serverChannels) {
        return new ProxySettings((int) proxy.maxRequestLine().asLongValue(), (int) proxy.maxHeaderSize().asLongValue(),
                proxy.headerTimeout().toMillis(), proxy.idleTimeout().toMillis(), proxy.maxConnections(),
                proxy.maxConnectionsPerBackend(), proxy.backendKeepAlive().toMillis(),
                (int) Math.min(Integer.MAX_VALUE, proxy.requestBuffer().asLongValue()), proxy.bodyTimeout().toMillis(),
                proxy.accessLog(), trusted, backendTls, resolver, channels, serverChannels,
                proxy.httpsPort() == 0 || proxy.httpsPort() == 443 ? "" : ":" + proxy.httpsPort(), proxy.h2c(),
                proxy.http2().maxConcurrentStreams());
    }
}
