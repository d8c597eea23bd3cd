package io.trafficdistributor.proxy;

import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trafficdistributor.config.TdConfig;
import io.trafficdistributor.routing.ChangeFeed;
import io.trafficdistributor.routing.Routes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

/** Opens the proxy listener on every configured event loop, once the routing table is loaded. */
@ApplicationScoped
public class ProxyServer {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    @Inject
    Vertx vertx;

    @Inject
    Routes routes;

    @Inject
    TdConfig config;

    @Inject
    ProxyMetrics metrics;

    private String deployment;

    void onStart(@Observes @Priority(ChangeFeed.LOAD_PRIORITY + 10) StartupEvent event) throws Exception {
        TdConfig.Proxy proxy = config.proxy();
        int eventLoops = proxy.eventLoops().orElse(Runtime.getRuntime().availableProcessors());
        deployment = vertx.deployVerticle(() -> new ProxyVerticle(proxy, routes, metrics),
                new DeploymentOptions().setInstances(eventLoops))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("Proxy listening on %s:%d (%d event loops)", proxy.host(), proxy.port(), eventLoops);
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        if (deployment != null) {
            vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
