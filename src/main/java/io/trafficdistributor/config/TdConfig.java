package io.trafficdistributor.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** Every {@code td.*} setting of the service, in one place. */
@ConfigMapping(prefix = "td")
public interface TdConfig {

    /** Directory of the embedded PostgreSQL's data, used only when no datasource URL is configured. */
    @WithDefault("./data")
    String dataDir();

    Admin admin();

    Proxy proxy();

    ServerTls tls();

    Acme acme();

    /**
     * Secret under which the private keys of certificates are encrypted in PostgreSQL (AES-256-GCM, key derived
     * by SHA-256); env {@code TD_SECRET_KEY}. Every replica needs the same one. Unset: keys are stored unencrypted,
     * and the service says so once at start.
     */
    Optional<String> secretKey();

    /** Automatic certificates by ACME (RFC 8555) for distributors with {@code tls.acme}. */
    interface Acme {
        /** The ACME server's directory URL. */
        @WithDefault("https://acme-v02.api.letsencrypt.org/directory")
        String directory();

        /** Contact address given to the ACME server for the account (expiry notices); none when unset. */
        Optional<String> email();

        /**
         * PEM file of the certificate authorities trusted for the ACME server's HTTPS (a private ACME server),
         * instead of the JVM's default trust store. The server's certificate and name are always verified.
         */
        Optional<String> trustCertificates();

        /** How often a replica looks for certificates due (new, changed hostnames, renewal, retry after a failure). */
        @WithDefault("60s")
        Duration checkInterval();

        /** Wait after a first failed order; doubled after each further failure, up to {@code retry-max}. */
        @WithDefault("2m")
        Duration retryInitial();

        @WithDefault("6h")
        Duration retryMax();

        /** The longest an order may take (challenge validation, issuance) before it counts as failed. */
        @WithDefault("2m")
        Duration orderTimeout();
    }

    interface ServerTls {
        /**
         * Name of the uploaded certificate served to TLS clients that send no SNI name, or one that no certificate
         * covers. Unset: such handshakes fail with {@code unrecognized_name}.
         */
        Optional<String> defaultCertificate();
    }

    Routing routing();

    Health health();

    Revisions revisions();

    /** The change history kept per distributor (DESIGN §8). */
    interface Revisions {
        /** How many of a distributor's newest revisions are kept; older ones are deleted as new ones are written. */
        @WithDefault("100")
        @WithConverter(AtLeastOne.class)
        int keep();
    }

    Shutdown shutdown();

    interface Shutdown {
        /**
         * On SIGTERM the proxy stops accepting connections and lets requests in flight finish for up to this
         * long; then the remaining connections (WebSockets among them) are closed and the process exits.
         */
        @WithDefault("30s")
        Duration grace();
    }

    interface Admin {
        /**
         * Bearer token required on every {@code /api} call and on {@code /q/metrics}, {@code /q/openapi} and Swagger UI
         * ({@code /q/health} stays open); unset means the admin port binds to loopback only.
         */
        Optional<String> token();
    }

    interface Proxy {
        @WithDefault("0.0.0.0")
        String host();

        @WithDefault("8000")
        int port();

        /** The HTTPS listener's port (same host as the plain one); {@code 0} turns it off. */
        @WithDefault("8443")
        int httpsPort();

        /** Event loops that serve the proxy listener; each has its own backend connection pools. */
        OptionalInt eventLoops();

        /** Pooled keep-alive connections per backend and event loop. */
        @WithDefault("128")
        int maxConnectionsPerBackend();

        /** How long an unused backend connection stays in the pool. */
        @WithDefault("60s")
        Duration backendKeepAlive();

        Tls tls();

        /** Largest request head (all headers) a client may send; larger is refused with 431. */
        @WithDefault("16K")
        io.quarkus.runtime.configuration.MemorySize maxHeaderSize();

        /** Longest request line (method, target, version); longer is refused with 414. */
        @WithDefault("8K")
        io.quarkus.runtime.configuration.MemorySize maxRequestLine();

        /**
         * Time a client has to send a complete request head (request line and headers), counted from the
         * connection's start and from the first byte of each later request; then 408 and the connection closes.
         */
        @WithDefault("10s")
        Duration headerTimeout();

        /** A client connection with no traffic for this long is closed. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** One JSON line per proxied request on the {@code td.access} log category. */
        @WithDefault("false")
        boolean accessLog();

        /** Client connections open at once, over all event loops; further ones are closed at once. */
        @WithDefault("20000")
        int maxConnections();

        /**
         * A request body up to this size is read whole before a backend is chosen: it can be sent again on a
         * retry, and a client that drips it holds no backend connection meanwhile. Larger bodies stream.
         */
        @WithDefault("64K")
        io.quarkus.runtime.configuration.MemorySize requestBuffer();

        /** Longest pause between two reads of a request body; then 408 and the connection closes. */
        @WithDefault("30s")
        Duration bodyTimeout();

        /**
         * Addresses (CIDRs, or single addresses) of proxies in front of this one whose {@code Forwarded} and
         * {@code X-Forwarded-*} headers are kept and appended to. From any other client they are replaced.
         */
        Optional<java.util.List<String>> trustedProxies();

        /**
         * HTTP/2 without TLS ("h2c") with prior knowledge on the plain port: a connection that opens with the
         * HTTP/2 preface is served as HTTP/2, any other as HTTP/1.1. {@code Upgrade: h2c} is never honoured.
         */
        @WithDefault("false")
        boolean h2c();

        Http2 http2();
    }

    interface Http2 {
        /**
         * Streams a client may have open at once on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS); a
         * stream beyond it is refused with RST_STREAM REFUSED_STREAM.
         */
        @WithDefault("100")
        int maxConcurrentStreams();
    }

    interface Tls {
        /**
         * PEM file of the certificate authorities trusted for https backends, instead of the JVM's default
         * trust store (e.g. a private CA). Certificates and host names are always verified.
         */
        Optional<String> trustCertificates();

        /** Time a client has to complete its TLS handshake on the HTTPS listener; then the connection closes. */
        @WithDefault("10s")
        Duration handshakeTimeout();
    }

    interface Routing {
        /** How often every distributor is reloaded from the database, the safety net behind LISTEN/NOTIFY. */
        @WithDefault("30s")
        Duration reconcileInterval();
    }

    interface Health {
        @WithDefault("256")
        int maxConcurrentProbes();
    }
}
