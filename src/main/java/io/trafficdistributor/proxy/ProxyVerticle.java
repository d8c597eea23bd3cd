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

/**
 * One event loop's share of the proxy: a listener on the shared proxy port, and its own pooled client to the
 * backends, so a request and its backend connection stay on one thread.
 */
final class ProxyVerticle extends AbstractVerticle {

    private final TdConfig.Proxy config;
    private final Routes routes;
    private final ProxyMetrics metrics;
    private final ClientConnections connections;
    private HttpServer server;
    private Forwarder forwarder;

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
        forwarder = new Forwarder(vertx, client, metrics, config.accessLog());
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
        server.invalidRequestHandler(this::invalid);
        server.requestHandler(this::handle).listen().<Void>mapEmpty().onComplete(started);
    }

    /** A request the decoder refused: framing the proxy will not pass on gets a short answer of its own. */
    private void invalid(HttpServerRequest request) {
        if (!(request.decoderResult().cause() instanceof ClientConnection.FramingException framing)) {
            HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request); // 431, 414, or a bare 400
            return;
        }
        metrics.badFraming();
        request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ProxyResponses.end(request.response(), 400, framing.getMessage()).onComplete(sent -> request.connection().close());
    }

    private void handle(HttpServerRequest request) {
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
        forwarder.forward(request, distributor);
    }

    @Override
    public void stop(Promise<Void> stopped) {
        server.close().onComplete(stopped);
    }
}
