package io.trafficdistributor.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives the proxy listener a free port for the test JVM and trusts the test TLS certificate. */
public class ProxyPortResource implements QuarkusTestResourceLifecycleManager {

    private static int port;

    @Override
    public synchronized Map<String, String> start() {
        if (port == 0) {
            port = TestBackend.freePort();
        }
        return Map.of(
                "td.proxy.port", Integer.toString(port),
                "td.proxy.host", "127.0.0.1",
                "td.proxy.tls.trust-certificates", TestTls.certificate().certificatePath());
    }

    @Override
    public void stop() {
    }
}
