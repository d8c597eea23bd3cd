package io.trafficdistributor.tls;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The HTTPS listener's TLS settings, one {@link SslContext} per certificate: TLS 1.3 and 1.2 only, forward-secret
 * AEAD cipher suites only, a session cache and tickets for resumption, ALPN. OpenSSL (Netty's BoringSSL build) when
 * it loads on this platform, else the JDK's TLS.
 */
public final class ServerTlsContexts {

    /** Modern suites (Mozilla's "intermediate" list): TLS 1.3's three, then ECDHE with AES-GCM or ChaCha20 for 1.2. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final String[] PROTOCOLS = { "TLSv1.3", "TLSv1.2" };

    /**
     * What ALPN offers, in preference order: HTTP/2, then HTTP/1.1. The listener picks its codec by the negotiated
     * protocol; a client that offers neither (or no ALPN) gets HTTP/1.1.
     */
    public static final List<String> ALPN = List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private static final long SESSION_CACHE_SIZE = 20_000;
    private static final long SESSION_TIMEOUT_SECONDS = 300;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerTlsContexts() {
    }

    /** OpenSSL when Netty's BoringSSL build loads here (with TLS 1.3), else the JDK. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() && OpenSsl.isCipherSuiteAvailable("TLS_AES_128_GCM_SHA256") ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Why OpenSSL is not used, for the start-up line; null when it is. */
    public static String whyNotOpenSsl() {
        if (provider() == SslProvider.OPENSSL) {
            return null;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return cause == null ? "no TLS 1.3 in the OpenSSL found" : cause.toString();
    }

    /**
     * A certificate's context. Its sessions resume only on it: OpenSSL contexts get their own session id context
     * and ticket keys (Netty gives every context the same id context), so a session or ticket of one certificate,
     * or of the certificate before a rotation, never resumes under another: the client does a full handshake and
     * sees the certificate served now.
     */
    static SslContext build(ParsedCertificate certificate) throws SSLException {
        SslContext context = builder(certificate).build();
        if (context.sessionContext() instanceof OpenSslServerSessionContext sessions) {
            sessions.setSessionIdContext(random(32));
            sessions.setTicketKeys(new OpenSslSessionTicketKey(random(16), random(16), random(16)));
        }
        return context;
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static SslContextBuilder builder(ParsedCertificate certificate) {
        return SslContextBuilder.forServer(certificate.key(), certificate.chain().toArray(new X509Certificate[0]))
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN));
    }
}
