package io.trafficdistributor.support;

import io.vertx.core.net.SelfSignedCertificate;

/** One self-signed certificate for {@code localhost}, trusted by the proxy in tests. */
public final class TestTls {

    private static SelfSignedCertificate certificate;

    private TestTls() {
    }

    public static synchronized SelfSignedCertificate certificate() {
        if (certificate == null) {
            certificate = SelfSignedCertificate.create("localhost");
        }
        return certificate;
    }
}
