package io.trafficdistributor.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A certificate chain and its private key, parsed and checked with the JDK: the leaf first, then each
 * certificate followed by its issuer, the key matching the leaf. What the API shows of it (names, issuer,
 * validity, fingerprint) comes from the leaf. {@link #toString()} leaves the key out.
 */
public final class ParsedCertificate {

    static final String FIELD = "certificate";

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final List<String> dnsNames;

    private ParsedCertificate(List<X509Certificate> chain, PrivateKey key, List<String> dnsNames) {
        this.chain = List.copyOf(chain);
        this.key = key;
        this.dnsNames = List.copyOf(dnsNames);
    }

    /**
     * Parses and checks an upload; {@code now} is checked against the leaf's validity.
     *
     * @throws InvalidCertificateException naming {@code certificate} or {@code privateKey}
     */
    public static ParsedCertificate parse(String certificatePem, String privateKeyPem, Instant now) {
        ParsedCertificate parsed = parseStored(certificatePem, privateKeyPem);
        X509Certificate leaf = parsed.leaf();
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new InvalidCertificateException(FIELD, "the leaf certificate expired on " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new InvalidCertificateException(FIELD, "the leaf certificate is not valid before "
                    + leaf.getNotBefore().toInstant());
        }
        return parsed;
    }

    /**
     * Parses a certificate as stored: every check but the validity period, so one that expired since its upload
     * still loads (and its expiry shows in the metrics) instead of vanishing.
     */
    public static ParsedCertificate parseStored(String certificatePem, String privateKeyPem) {
        List<X509Certificate> chain = chain(certificatePem);
        PrivateKey key = PrivateKeys.parse(privateKeyPem);
        if (!PrivateKeys.matches(key, chain.get(0).getPublicKey())) {
            throw new InvalidCertificateException(PrivateKeys.FIELD, "does not match the leaf certificate (the first"
                    + " in 'certificate'): it is not the private key of its public key");
        }
        return new ParsedCertificate(chain, key, dnsNames(chain.get(0)));
    }

    private static List<X509Certificate> chain(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new InvalidCertificateException(FIELD, "is required: the leaf certificate, then its chain, in PEM");
        }
        List<Pem.Block> blocks;
        try {
            blocks = Pem.blocks(pem);
        } catch (IllegalArgumentException e) {
            throw new InvalidCertificateException(FIELD, "is not valid PEM: " + e.getMessage());
        }
        if (blocks.isEmpty()) {
            throw new InvalidCertificateException(FIELD, "holds no PEM block (-----BEGIN CERTIFICATE-----)");
        }
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Pem.Block block = blocks.get(i);
            if (!block.type().equals("CERTIFICATE")) {
                // Never echo the block: it may be a private key pasted into the wrong field.
                throw new InvalidCertificateException(FIELD, "block " + (i + 1) + " is a '" + block.type()
                        + "'; only CERTIFICATE blocks belong here (the key goes in 'privateKey')");
            }
            try {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException | ClassCastException e) {
                throw new InvalidCertificateException(FIELD, "block " + (i + 1) + " is not a valid X.509 certificate");
            }
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate subject = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            if (!issuedBy(subject, issuer)) {
                throw new InvalidCertificateException(FIELD, "the chain is out of order: certificate " + (i + 2)
                        + " did not issue certificate " + (i + 1) + "; put the leaf first, then each issuer in turn");
            }
        }
        return chain;
    }

    private static boolean issuedBy(X509Certificate subject, X509Certificate issuer) {
        if (!subject.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> dnsNames(X509Certificate leaf) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    if (Integer.valueOf(2).equals(name.get(0)) && name.get(1) instanceof String dns) {
                        names.add(dns.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new InvalidCertificateException(FIELD, "the leaf certificate's subjectAlternativeName cannot be read");
        }
        return List.copyOf(names);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The leaf, then its chain. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** Only for building the TLS context; never shown, logged or sent. */
    PrivateKey key() {
        return key;
    }

    /** The leaf's DNS names (subjectAlternativeName), lower-case, wildcards as {@code *.example.com}. */
    public List<String> dnsNames() {
        return dnsNames;
    }

    public String issuer() {
        return leaf().getIssuerX500Principal().getName();
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** SHA-256 of the leaf's DER, as {@code openssl x509 -fingerprint -sha256} prints it ({@code AB:CD:…}). */
    public String fingerprintSha256() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ParsedCertificate[" + dnsNames + ", notAfter " + notAfter() + "]";
    }
}
