package io.trafficdistributor.proxy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trafficdistributor.Beside;
import io.trafficdistributor.TerminationSignals;
import io.trafficdistributor.config.ListenerPorts;
import io.trafficdistributor.config.TdConfig;
import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.routing.ChangeFeed;
import io.trafficdistributor.routing.Routes;
import io.trafficdistributor.tls.AcmeChallenges;
import io.trafficdistributor.tls.BackendTls;
import io.trafficdistributor.tls.CertificateStore;
import io.trafficdistributor.tls.ServerTlsContexts;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/**
 * Opens the proxy listener once the routing table is loaded, and on shutdown drains it: no new connections,
 * requests in flight finish within {@code td.shutdown.grace}. Its readiness check is UP only while the listener
 * accepts traffic.
 */
@ApplicationScoped
@Readiness
public class ProxyServer implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    @Inject
    Vertx vertx;

    @Inject
    Routes routes;

    @Inject
    TdConfig config;

    @Inject
    ProxyMetrics metrics;

    @Inject
    CertificateStore certificates;

    @Inject
    AcmeChallenges challenges;

    @Inject
    HealthRegistry health;

    private final ClientConnections connections = new ClientConnections();

    /** The open client connections (tests drain them as a shutdown would, without stopping the service). */
    ClientConnections connections() {
        return connections;
    }
    private volatile ProxyListener listener;
    private final AtomicBoolean drainStarted = new AtomicBoolean();

    /** The TLS client of https backends, built beside the routing table's load ({@link #prepare}). */
    private Beside<SslContext> backendTls;

    /**
     * Before the load: the TLS client of https backends (the JDK's TLS defaults take a few hundred milliseconds to
     * initialise) and, with an HTTPS port, OpenSSL's native library are made ready on a thread of their own, so that
     * opening the listener after the load does not wait for them.
     */
    void prepare(@Observes @Priority(ChangeFeed.LOAD_PRIORITY - 5) StartupEvent event) {
        TdConfig.Proxy proxy = config.proxy();
        backendTls = Beside.start("td-proxy-prepare", () -> {
            if (proxy.httpsPort() > 0) {
                OpenSsl.isAvailable(); // loads the native library once
            }
            return BackendTls.context(proxy.tls().trustCertificates());
        });
    }

    void onStart(@Observes @Priority(ChangeFeed.LOAD_PRIORITY + 10) StartupEvent event) throws Exception {
        TdConfig.Proxy proxy = config.proxy();
        VertxInternal internal = (VertxInternal) vertx;
        TrustedProxies trusted = TrustedProxies.parse(proxy.trustedProxies().orElse(List.of()));
        ProxySettings settings = ProxySettings.of(proxy, trusted, backendTls.await(), internal.nettyAddressResolverGroup(),
                internal.transport().channelFactory(false), internal.transport().serverChannelFactory(false));
        int eventLoops = proxy.eventLoops().orElse(Runtime.getRuntime().availableProcessors());
        // The bean itself, not its CDI client proxy: the event loops read the table on every request.
        Routes table = ClientProxy.unwrap(routes);
        ProxyListener opened = new ProxyListener(internal, settings, metrics, table,
                ClientProxy.unwrap(challenges), connections, eventLoops);
        try {
            opened.bind(proxy.host(), proxy.port());
        } catch (Exception e) {
            opened.close();
            throw ListenerPorts.cannotListen("proxy", proxy.host(), proxy.port(), "td.proxy.port", e);
        }
        LOG.infof("Proxy listening on %s:%d (%d event loops)", proxy.host(), proxy.port(), opened.eventLoops());
        if (proxy.httpsPort() > 0) {
            try {
                opened.bind(proxy.host(), proxy.httpsPort(), new ProxyListener.HttpsFront(ClientProxy.unwrap(certificates),
                        proxy.tls().handshakeTimeout().toMillis(), new TlsHandshakes(metrics)));
            } catch (Exception e) {
                opened.close();
                throw ListenerPorts.cannotListen("HTTPS proxy", proxy.host(), proxy.httpsPort(), "td.proxy.https-port", e);
            }
            String whyNot = ServerTlsContexts.whyNotOpenSsl();
            LOG.infof("HTTPS proxy listening on %s:%d (TLS 1.2 and 1.3 on %s; default certificate: %s)", proxy.host(),
                    proxy.httpsPort(), whyNot == null ? OpenSsl.versionString() : "the JDK's TLS, OpenSSL unavailable: " + whyNot,
                    config.tls().defaultCertificate().orElse("none"));
        }
        listener = opened;
        TerminationSignals.handle(this::drainOnSignal);
        // Only now: the first probes of every backend would have taken the cores from the load and this opening.
        health.startProbing();
    }

    /**
     * SIGTERM or SIGINT: the drain runs while the service is still up, so the admin port keeps answering and
     * readiness says 503 ("draining") until the last request is done; only then does the service stop. A second
     * signal during the drain cuts it short.
     */
    private void drainOnSignal(TerminationSignals.Signal signal) {
        if (signal.repeated()) {
            LOG.warnf("SIG%s again: closing %d connection(s) without waiting", signal.name(), connections.size());
            connections.drain();
            connections.closeAll();
        } else {
            LOG.infof("SIG%s: draining before the service stops", signal.name());
            drain();
        }
        Quarkus.asyncExit(signal.exitStatus());
    }

    /** First of the shutdown observers: when no signal started the drain, it runs here. */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) throws Exception {
        drain();
        ProxyListener running = listener;
        listener = null;
        if (running != null) {
            running.close();
        }
    }

    /**
     * Closes the listening socket and waits for the open connections, each closed once idle, for up to
     * {@code td.shutdown.grace}; then closes what is left. Runs once.
     */
    private void drain() {
        if (listener == null || !drainStarted.compareAndSet(false, true)) {
            return;
        }
        Duration grace = config.shutdown().grace();
        connections.drain();
        int open = connections.size();
        if (open == 0) {
            return;
        }
        LOG.infof("Shutting down: proxy listener closed; waiting up to %s for %d open connection(s) to finish",
                grace, open);
        try {
            if (!awaitAllClosed(grace)) {
                LOG.warnf("Shutdown grace period (%s) over: closing %d connection(s) still open", grace, connections.size());
                connections.closeAll();
                awaitAllClosed(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.closeAll();
        }
    }

    /** Waits up to {@code timeout} for the last client connection to close; whether none is left. */
    private boolean awaitAllClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connections.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return connections.size() == 0;
    }

    @Override
    public HealthCheckResponse call() {
        boolean accepting = listener != null && !connections.draining();
        return HealthCheckResponse.named("proxy listener")
                .status(accepting)
                .withData("port", config.proxy().port())
                .withData("httpsPort", config.proxy().httpsPort())
                .withData("state", accepting ? "accepting" : connections.draining() ? "draining" : "not started")
                .build();
    }
}
