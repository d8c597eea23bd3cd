package io.trafficdistributor.proxy;

import io.trafficdistributor.tls.AcmeChallenges;
import java.util.HashMap;
import java.util.Map;

import io.netty.channel.EventLoop;
import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.Routes;

/**
 * One event loop's share of the proxy: the client connections it serves and its own backend pools, so a request
 * and its backend connection stay on one thread and no pool is ever locked.
 */
final class ProxyWorker {

    final EventLoop loop;
    final ProxySettings settings;
    final ProxyMetrics metrics;
    final Routes routes;
    /** ACME HTTP-01 challenge tokens, answered on the plain port before routing. */
    final AcmeChallenges challenges;
    final ClientConnections connections;
    private final Map<String, BackendPool> pools = new HashMap<>();

    ProxyWorker(EventLoop loop, ProxySettings settings, ProxyMetrics metrics, Routes routes, AcmeChallenges challenges,
            ClientConnections connections) {
        this.challenges = challenges;
        this.loop = loop;
        this.settings = settings;
        this.metrics = metrics;
        this.routes = routes;
        this.connections = connections;
    }

    /** This event loop's pool for the backend's server; on the loop only. */
    BackendPool pool(CompiledBackend backend) {
        String key = BackendPool.key(backend);
        BackendPool pool = pools.get(key);
        if (pool == null) {
            pool = new BackendPool(loop, settings, metrics, backend);
            pools.put(key, pool);
        }
        return pool;
    }
}
