package io.trafficdistributor.proxy;

import io.trafficdistributor.config.TdConfig;
import io.trafficdistributor.routing.CompiledDistributor;
import io.trafficdistributor.routing.Routes;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;

/**
 * One event loop's share of the proxy: a listener on the shared proxy port, and its own pooled client to the
 * backends, so a request and its backend connection stay on one thread.
 */
final class ProxyVerticle extends AbstractVerticle {

    private static final String CHUNKED = "chunked";

    private final TdConfig.Proxy config;
    private final Routes routes;
    private final ProxyMetrics metrics;
    private final ClientConnections connections;
    private HttpServer server;
    private HttpProxy proxy;

    ProxyVerticle(TdConfig.Proxy config, Routes routes, ProxyMetrics metrics, ClientConnections connections) {
        this.config = config;
        this.routes = routes;
        this.metrics = metrics;
        this.connections = connections;
    }

    @Override
    public void start(Promise<Void> started) {
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) config.backendKeepAlive().toSeconds())
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setVerifyHost(true)
                .setForceSni(true)
                .setDecompressionSupported(false);
        config.tls().trustCertificates().ifPresent(pem -> clientOptions.setTrustOptions(new PemTrustOptions().addCertPath(pem)));
        HttpClient client = vertx.httpClientBuilder()
                .with(clientOptions)
                .with(new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerBackend()))
                .withConnectHandler(connection -> {
                    metrics.backendConnections.incrementAndGet();
                    connection.closeHandler(v -> metrics.backendConnections.decrementAndGet());
                })
                .build();
        Forwarder forwarder = new Forwarder(vertx, routes, metrics, config.accessLog());
        proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
                .origin(forwarder)
                .addInterceptor(forwarder);
        HttpServerOptions serverOptions = new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setMaxHeaderSize((int) config.maxHeaderSize().asLongValue())
                .setMaxInitialLineLength((int) config.maxRequestLine().asLongValue())
                .setIdleTimeout((int) config.idleTimeout().toMillis())
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                // HTTP/1.1 only, so each connection's pipeline is built before it reads (see ClientConnection).
                .setHttp2ClearTextEnabled(false);
        server = vertx.createHttpServer(serverOptions);
        server.connectionHandler(connection -> {
            int open = metrics.clientConnections.incrementAndGet();
            ClientConnection tracked = ClientConnection.install(connection, serverOptions, config.headerTimeout(),
                    metrics::headerTimeout);
            connections.add(tracked);
            connection.closeHandler(v -> {
                metrics.clientConnections.decrementAndGet();
                connections.remove(tracked);
            });
            if (open > config.maxConnections()) {
                metrics.connectionRefused();
                connection.close();
            } else if (connections.draining()) {
                connection.close(); // accepted just before the listener closed
            }
        });
        server.requestHandler(this::handle).listen().<Void>mapEmpty().onComplete(started);
    }

    private void handle(HttpServerRequest request) {
        String transferEncoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        if (transferEncoding != null && !CHUNKED.equalsIgnoreCase(transferEncoding.trim())) {
            // RFC 9112 §6.1: chunked must be the final coding, and other codings here mean a body of unknown end.
            metrics.badFraming();
            request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            ProxyResponses.end(request.response(), 400, "Transfer-Encoding other than chunked is not accepted.")
                    .onComplete(sent -> request.connection().close());
            return;
        }
        if (request.authority() == null) {
            metrics.noHost();
            ProxyResponses.end(request.response(), 400, "The request has no Host header.");
            return;
        }
        String host = request.authority().host();
        CompiledDistributor distributor = routes.table().lookup(host);
        if (distributor == null) {
            metrics.unknownHost();
            ProxyResponses.end(request.response(), 404, "No distributor serves host " + ProxyResponses.quote(host) + ".");
            return;
        }
        if (!distributor.enabled()) {
            metrics.of(distributor).answered(null, 503, System.nanoTime());
            ProxyResponses.end(request.response(), 503, "Distributor '" + distributor.name() + "' is disabled.");
            return;
        }
        proxy.handle(request);
    }

    @Override
    public void stop(Promise<Void> stopped) {
        server.close().onComplete(stopped);
    }
}
