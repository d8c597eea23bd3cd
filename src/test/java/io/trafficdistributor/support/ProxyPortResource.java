package io.trafficdistributor.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives the proxy listeners (plain and HTTPS) free ports for the test JVM and trusts the test TLS certificate. */
public class ProxyPortResource implements QuarkusTestResourceLifecycleManager {

    private static int port;
    private static int httpsPort;

    /**
     * The plain proxy port of this test JVM, chosen before Quarkus starts: a test resource that must know it (pebble
     * validates ACME challenges on it) asks here.
     */
    public static synchronized int plainPort() {
        if (port == 0) {
            port = TestBackend.freePort();
            httpsPort = TestBackend.freePort();
        }
        return port;
    }

    @Override
    public synchronized Map<String, String> start() {
        plainPort();
        return Map.of(
                "td.proxy.port", Integer.toString(port),
                "td.proxy.https-port", Integer.toString(httpsPort),
                "td.proxy.host", "127.0.0.1",
                "td.proxy.tls.trust-certificates", TestTls.certificate().certificatePath());
    }

    @Override
    public void stop() {
    }
}
