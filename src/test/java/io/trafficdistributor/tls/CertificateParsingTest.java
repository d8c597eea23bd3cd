package io.trafficdistributor.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trafficdistributor.support.TestCertificates;
import io.trafficdistributor.support.TestCertificates.Issued;
import io.trafficdistributor.support.TestCertificates.KeyType;

/** PEM chains and keys as the certificates API takes them: every accepted form, and every refusal naming its field. */
class CertificateParsingTest {

    static final Issued ROOT = TestCertificates.root("Test Root");
    static final Issued INTERMEDIATE = intermediate();
    static final Instant NOW = Instant.now();

    private static Issued intermediate() {
        // A leaf certificate is not a CA, but signing with its key is all the chain check looks at.
        return TestCertificates.leaf(ROOT, KeyType.EC, "intermediate.test");
    }

    @Test
    void aChainWithAnRsaLeafParsesWithItsNamesIssuerAndFingerprint() {
        Issued leaf = TestCertificates.leaf(INTERMEDIATE, KeyType.RSA, "Shop.Example.com", "*.shop.example.com");
        ParsedCertificate parsed = ParsedCertificate.parse(leaf.chainPem(), leaf.keyPem(), NOW);
        assertEquals(List.of("shop.example.com", "*.shop.example.com"), parsed.dnsNames());
        assertEquals(2, parsed.chain().size());
        assertEquals("CN=intermediate.test", parsed.issuer());
        assertEquals(95, parsed.fingerprintSha256().length());
        assertTrue(parsed.fingerprintSha256().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
        assertEquals(leaf.certificate().getNotAfter().toInstant(), parsed.notAfter());
        assertFalse(parsed.toString().contains("PRIVATE"), parsed.toString());
    }

    @Test
    void everyKeyFormIsReadAsTheSameKey() {
        for (KeyType type : KeyType.values()) {
            Issued leaf = TestCertificates.leaf(ROOT, type, "forms.test");
            PrivateKey pkcs8 = PrivateKeys.parse(leaf.keyPem());
            String traditional = leaf.traditionalKeyPem();
            assertTrue(traditional.contains("BEGIN " + type + " PRIVATE KEY"), traditional.lines().findFirst().orElse(""));
            PrivateKey wrapped = PrivateKeys.parse(traditional);
            assertEquals(pkcs8.getAlgorithm(), wrapped.getAlgorithm());
            assertTrue(PrivateKeys.matches(wrapped, leaf.certificate().getPublicKey()));
            ParsedCertificate.parse(leaf.certificatePem(), traditional, NOW);
        }
    }

    @Test
    void keysAsTheOpensslCommandWritesThemAreRead(@TempDir Path dir) throws Exception {
        // genrsa -traditional: PKCS#1. ecparam -genkey: an EC PARAMETERS block, then SEC1. pkcs8 -topk8: PKCS#8.
        openssl(dir, "genrsa", "-traditional", "-out", "rsa1.pem", "2048");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.pem");
        openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", "rsa1.pem", "-out", "rsa8.pem");
        openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "ec8.pem");
        assertTrue(Files.readString(dir.resolve("sec1.pem")).contains("BEGIN EC PARAMETERS"));
        assertArrayEquals(PrivateKeys.parse(Files.readString(dir.resolve("rsa8.pem"))).getEncoded(),
                PrivateKeys.parse(Files.readString(dir.resolve("rsa1.pem"))).getEncoded());
        // The JDK keeps an EC key's encoding as read (the curve inside, or beside it): compare the secret itself.
        assertEquals(((ECPrivateKey) PrivateKeys.parse(Files.readString(dir.resolve("ec8.pem")))).getS(),
                ((ECPrivateKey) PrivateKeys.parse(Files.readString(dir.resolve("sec1.pem")))).getS());
    }

    private static void openssl(Path dir, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }

    @Test
    void eachBadUploadNamesItsField() {
        Issued leaf = TestCertificates.leaf(INTERMEDIATE, KeyType.EC, "bad.test");
        Issued other = TestCertificates.leaf(ROOT, KeyType.EC, "other.test");
        Issued expired = TestCertificates.leaf(ROOT, KeyType.RSA, NOW.minus(Duration.ofDays(30)),
                NOW.minus(Duration.ofDays(1)), "expired.test");
        Issued future = TestCertificates.leaf(ROOT, KeyType.RSA, NOW.plus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(30)), "future.test");
        String garbled = leaf.certificatePem().replace("\n-----END", "!!\n-----END");

        refused("certificate", "is required", "", leaf.keyPem());
        refused("certificate", "is required", null, leaf.keyPem());
        refused("certificate", "holds no PEM block", "hello", leaf.keyPem());
        refused("certificate", "not valid base64", garbled, leaf.keyPem());
        refused("certificate", "no line", leaf.certificatePem().replace("-----END CERTIFICATE-----", ""), leaf.keyPem());
        refused("certificate", "not a valid X.509", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                leaf.keyPem());
        refused("certificate", "only CERTIFICATE blocks", leaf.certificatePem() + leaf.keyPem(), leaf.keyPem());
        refused("certificate", "out of order", ROOT.certificatePem() + leaf.certificatePem(), leaf.keyPem());
        refused("certificate", "out of order", INTERMEDIATE.certificatePem() + leaf.certificatePem(), INTERMEDIATE.keyPem());
        refused("certificate", "expired", expired.certificatePem(), expired.keyPem());
        refused("certificate", "not valid before", future.certificatePem(), future.keyPem());
        refused("privateKey", "is required", leaf.certificatePem(), " ");
        refused("privateKey", "holds no PEM private key", leaf.certificatePem(), leaf.certificatePem());
        refused("privateKey", "does not match", leaf.certificatePem(), other.keyPem());
        refused("privateKey", "is not a valid PRIVATE KEY", leaf.certificatePem(),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        refused("privateKey", "is not a valid RSA PRIVATE KEY", leaf.certificatePem(),
                "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n");
        refused("privateKey", "is encrypted", leaf.certificatePem(),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----\n");
        refused("privateKey", "2 private keys", leaf.certificatePem(), leaf.keyPem() + other.keyPem());
    }

    @Test
    void aStoredCertificateThatExpiredSinceStillLoads() {
        Issued expired = TestCertificates.leaf(ROOT, KeyType.RSA, NOW.minus(Duration.ofDays(30)),
                NOW.minus(Duration.ofDays(1)), "expired.test");
        assertEquals(List.of("expired.test"), ParsedCertificate.parseStored(expired.certificatePem(), expired.keyPem()).dnsNames());
    }

    private static void refused(String field, String message, String certificate, String key) {
        InvalidCertificateException e = assertThrows(InvalidCertificateException.class,
                () -> ParsedCertificate.parse(certificate, key, NOW));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("MII"), "a message quotes the upload: " + e.getMessage());
    }
}
