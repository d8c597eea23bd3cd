package io.trafficdistributor.support;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test itself (BouncyCastle, test scope only): RSA and EC keys, a root and the leaves
 * it signs, self-signed ones, any validity period. Keys come as PKCS#8 PEM, or in the traditional forms
 * (PKCS#1 RSA, SEC1 EC) through {@link Issued#traditionalKeyPem()}.
 */
public final class TestCertificates {

    public enum KeyType { RSA, EC }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate, its key and the issuer that signed it (itself when self-signed). */
    public record Issued(X509Certificate certificate, KeyPair keys, Issued issuer) {

        public String certificatePem() {
            return pem(certificate);
        }

        /** This certificate, then its issuers up to (not including) a self-signed root. */
        public String chainPem() {
            StringBuilder chain = new StringBuilder(certificatePem());
            for (Issued up = issuer; up != null && up.issuer != null; up = up.issuer) {
                chain.append(up.certificatePem());
            }
            return chain.toString();
        }

        public String keyPem() {
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }

        /**
         * {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC1, with its curve), as the
         * {@code openssl} command writes them.
         */
        public String traditionalKeyPem() {
            try {
                Process process = new ProcessBuilder("openssl", "pkey", "-traditional").start();
                try (var in = process.getOutputStream()) {
                    in.write(keyPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                String pem = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                if (process.waitFor() != 0) {
                    throw new IllegalStateException("openssl pkey failed: " + new String(process.getErrorStream().readAllBytes()));
                }
                return pem;
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestCertificates() {
    }

    public static KeyPair keys(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
            if (type == KeyType.EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Issued root(String commonName) {
        KeyPair keys = keys(KeyType.EC);
        return new Issued(build("CN=" + commonName, keys, "CN=" + commonName, keys, true, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(3650))), keys, null);
    }

    /** A leaf for {@code dnsNames}, valid from yesterday for 90 days, signed by {@code issuer}. */
    public static Issued leaf(Issued issuer, KeyType type, String... dnsNames) {
        return leaf(issuer, type, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(90)), dnsNames);
    }

    public static Issued leaf(Issued issuer, KeyType type, Instant notBefore, Instant notAfter, String... dnsNames) {
        KeyPair keys = keys(type);
        X509Certificate certificate = build("CN=" + dnsNames[0], keys,
                issuer.certificate.getSubjectX500Principal().getName(), issuer.keys, false, notBefore, notAfter, dnsNames);
        return new Issued(certificate, keys, issuer);
    }

    /** A self-signed certificate for {@code dnsNames}, valid from yesterday for 90 days. */
    public static Issued selfSigned(KeyType type, String... dnsNames) {
        KeyPair keys = keys(type);
        return new Issued(build("CN=" + dnsNames[0], keys, "CN=" + dnsNames[0], keys, false,
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(90)), dnsNames), keys, null);
    }

    private static X509Certificate build(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            boolean authority, Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Principal(issuer),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                    new X500Principal(subject), subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
