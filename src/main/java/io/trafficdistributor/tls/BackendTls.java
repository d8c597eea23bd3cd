package io.trafficdistributor.tls;

import java.io.File;
import java.util.Optional;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

/**
 * TLS towards https backends, for the proxy's connections and the health probes alike: the JVM's trust store or
 * {@code td.proxy.tls.trust-certificates}, and a handler that sends the backend's name (SNI) and checks that its
 * certificate names it.
 */
public final class BackendTls {

    private BackendTls() {
    }

    /** The client context: the JDK's TLS, trusting the JVM's store or the PEM file given. */
    public static SslContext context(Optional<String> trustCertificates) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        trustCertificates.ifPresent(pem -> builder.trustManager(new File(pem)));
        return builder.build();
    }

    /**
     * A handler for one connection to {@code host}: SNI names it, the certificate must name it, and the handshake
     * fails after {@code handshakeMillis}.
     */
    public static SslHandler handler(SslContext context, ByteBufAllocator alloc, String host, int port, long handshakeMillis) {
        SslHandler tls = context.newHandler(alloc, host, port);
        SSLEngine engine = tls.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        engine.setSSLParameters(parameters);
        tls.setHandshakeTimeoutMillis(handshakeMillis);
        return tls;
    }
}
