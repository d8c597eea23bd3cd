package io.trafficdistributor.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * One ACME server (RFC 8555) as the service uses it, on acme4j: an account for a key pair, and an order of one
 * certificate for a list of hostnames by HTTP-01, whose challenges the caller publishes where the proxy answers
 * them. Blocking; run on a thread of its own.
 */
public final class AcmeClient {

    /** Where an order's HTTP-01 challenges are put before the ACME server is asked to validate them. */
    public interface ChallengePublisher {
        void publish(String token, String keyAuthorization) throws Exception;
    }

    /** An issued certificate: its PEM chain (leaf first) and the PEM (PKCS#8) of its new key. */
    public record Issued(String certificatePem, String privateKeyPem, Instant notBefore, Instant notAfter) {
        @Override
        public String toString() {
            return "Issued[notAfter=" + notAfter + "]"; // never the key
        }
    }

    /** An order that did not end in a certificate; the message says why in the ACME server's words. */
    public static final class OrderFailed extends Exception {
        public OrderFailed(String message) {
            super(message);
        }
    }

    static {
        // acme4j's key and CSR utilities ask for the BouncyCastle provider by name.
        if (java.security.Security.getProvider("BC") == null) {
            java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
    }

    private final URI directory;
    private final Optional<String> email;
    private final SSLContext trust;

    /**
     * @param trustCertificates PEM file of the CAs trusted for the server's HTTPS; empty: the JVM's trust store
     */
    public AcmeClient(String directory, Optional<String> email, Optional<String> trustCertificates) {
        this.directory = URI.create(directory);
        this.email = email.filter(e -> !e.isBlank());
        this.trust = trustCertificates.filter(p -> !p.isBlank()).map(AcmeClient::sslContext).orElse(null);
    }

    /** A new account key (EC P-256), as PEM. */
    public static String newAccountKeyPem() {
        StringWriter out = new StringWriter();
        try {
            KeyPairUtils.writeKeyPair(KeyPairUtils.createECKeyPair("secp256r1"), out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static KeyPair accountKey(String pem) {
        try {
            return KeyPairUtils.readKeyPair(new java.io.StringReader(pem));
        } catch (IOException e) {
            throw new IllegalStateException("the stored ACME account key does not parse");
        }
    }

    /**
     * Orders a certificate for {@code hostnames}: account (created, or found by its key), order, each authorization's
     * HTTP-01 challenge published then triggered, finalized with a CSR for a new EC P-256 key, downloaded.
     */
    public Issued order(KeyPair accountKey, List<String> hostnames, ChallengePublisher publisher, Duration timeout)
            throws OrderFailed, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        try {
            Session session = new Session(directory, new Provider());
            AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
            email.ifPresent(builder::addEmail);
            Account account = builder.create(session);
            Order order = account.newOrder().domains(hostnames).create();
            for (Authorization authorization : order.getAuthorizations()) {
                if (authorization.getStatus() == Status.VALID) {
                    continue;
                }
                Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class)
                        .orElseThrow(() -> new OrderFailed("the ACME server offers no HTTP-01 challenge for "
                                + authorization.getIdentifier().getDomain()));
                try {
                    publisher.publish(challenge.getToken(), challenge.getAuthorization());
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    throw new OrderFailed("could not store the challenge: " + e.getMessage());
                }
                challenge.trigger();
                Status status = challenge.waitForCompletion(left(deadline));
                if (status != Status.VALID) {
                    throw new OrderFailed("HTTP-01 challenge for " + authorization.getIdentifier().getDomain() + " is "
                            + status.name().toLowerCase() + describe(challenge.getError()));
                }
            }
            KeyPair domainKey = KeyPairUtils.createECKeyPair("secp256r1");
            order.waitUntilReady(left(deadline));
            order.execute(domainKey);
            Status status = order.waitForCompletion(left(deadline));
            if (status != Status.VALID) {
                throw new OrderFailed("the order is " + status.name().toLowerCase() + describe(order.getError()));
            }
            org.shredzone.acme4j.Certificate certificate = order.getCertificate();
            StringWriter chain = new StringWriter();
            certificate.writeCertificate(chain);
            X509Certificate leaf = certificate.getCertificate();
            return new Issued(chain.toString(), pkcs8(domainKey), leaf.getNotBefore().toInstant(),
                    leaf.getNotAfter().toInstant());
        } catch (AcmeException e) {
            throw new OrderFailed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (IOException e) {
            throw new OrderFailed("could not write the certificate: " + e.getMessage());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new OrderFailed(e.getMessage());
        }
    }

    private static String describe(Optional<Problem> problem) {
        return problem.map(p -> ": " + p).orElse("");
    }

    private static Duration left(Instant deadline) throws OrderFailed {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new OrderFailed("the order did not complete in td.acme.order-timeout");
        }
        return left;
    }

    private static String pkcs8(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static SSLContext sslContext(String pemFile) {
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new IllegalStateException("td.acme.trust-certificates (" + pemFile + ") holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("td.acme.trust-certificates (" + pemFile + ") cannot be read: " + e.getMessage());
        }
    }

    /**
     * acme4j's generic provider (any https directory URL) with this client's trust: acme4j talks to the server
     * through java.net.http, whose client builder its {@link HttpConnector} makes, so that is where the CAs go.
     */
    private final class Provider extends GenericAcmeProvider {
        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    HttpClient.Builder builder = super.createClientBuilder();
                    return trust == null ? builder : builder.sslContext(trust);
                }
            };
        }
    }
}
