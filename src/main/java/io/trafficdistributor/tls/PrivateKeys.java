package io.trafficdistributor.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * Private keys from PEM with the JDK alone: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The JDK reads only PKCS#8, so the
 * other two are wrapped into PKCS#8 first: a fixed algorithm identifier around the key's own bytes (RFC 5208,
 * RFC 8017, RFC 5915), no ASN.1 library needed. No message ever holds key material.
 */
public final class PrivateKeys {

    static final String FIELD = "privateKey";
    /** 1.2.840.113549.1.1.1 rsaEncryption, with its NULL parameters. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** 1.2.840.10045.2.1 id-ecPublicKey. */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PrivateKeys() {
    }

    /** The one private key in {@code pem}. */
    public static PrivateKey parse(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new InvalidCertificateException(FIELD, "is required: the private key of the leaf certificate, in PEM");
        }
        List<Pem.Block> blocks;
        try {
            blocks = Pem.blocks(pem);
        } catch (IllegalArgumentException e) {
            throw new InvalidCertificateException(FIELD, "is not valid PEM: " + e.getMessage());
        }
        List<Pem.Block> keys = blocks.stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
        if (keys.isEmpty()) {
            throw new InvalidCertificateException(FIELD, "holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY"
                    + " or BEGIN EC PRIVATE KEY)");
        }
        if (keys.size() > 1) {
            throw new InvalidCertificateException(FIELD, "holds " + keys.size() + " private keys; upload only the leaf's");
        }
        Pem.Block key = keys.get(0);
        try {
            return switch (key.type()) {
                case "PRIVATE KEY" -> pkcs8(key.der());
                case "RSA PRIVATE KEY" -> generate("RSA", sequence(concat(hex("020100"), RSA_ALGORITHM, tlv(0x04, key.der()))));
                case "EC PRIVATE KEY" -> generate("EC", sequence(concat(hex("020100"),
                        sequence(concat(EC_PUBLIC_KEY_OID, curveOf(key.der()))), tlv(0x04, key.der()))));
                case "ENCRYPTED PRIVATE KEY" -> throw new InvalidCertificateException(FIELD,
                        "is encrypted; upload it unencrypted (openssl pkcs8 -topk8 -nocrypt), the service encrypts keys"
                                + " at rest itself (td.secret-key)");
                default -> throw new InvalidCertificateException(FIELD, "is a '" + key.type()
                        + "', which is not supported; use PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 RSA or EC");
            };
        } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new InvalidCertificateException(FIELD, "is not a valid " + key.type() + " (RSA or EC)");
        }
    }

    /** Whether {@code key} is the private half of {@code publicKey}: a signature made with one verifies with the other. */
    public static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] { "RSA", "EC" }) {
            try {
                return generate(algorithm, der);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    private static PrivateKey generate(String algorithm, byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey: {@code SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID curve, [1] … }},
     * as its whole TLV. OpenSSL always writes the parameters; a key without them cannot be used.
     */
    private static byte[] curveOf(byte[] sec1) {
        int[] outer = header(sec1, 0, 0x30);
        int position = outer[0];
        int end = outer[0] + outer[1];
        while (position < end) {
            int tag = sec1[position] & 0xff;
            int[] element = header(sec1, position, tag);
            if (tag == 0xa0) {
                int[] oid = header(sec1, element[0], 0x06);
                return Arrays.copyOfRange(sec1, element[0], oid[0] + oid[1]);
            }
            position = element[0] + element[1];
        }
        throw new IllegalArgumentException("no curve");
    }

    /** The content's start and length of the DER element at {@code offset}, which must have tag {@code tag}. */
    private static int[] header(byte[] der, int offset, int tag) {
        if ((der[offset] & 0xff) != tag) {
            throw new IllegalArgumentException("unexpected tag");
        }
        int first = der[offset + 1] & 0xff;
        if (first < 0x80) {
            return new int[] { offset + 2, first };
        }
        int count = first & 0x7f;
        if (count == 0 || count > 3) {
            throw new IllegalArgumentException("bad length");
        }
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[offset + 2 + i] & 0xff);
        }
        if (offset + 2 + count + length > der.length) {
            throw new IllegalArgumentException("truncated");
        }
        return new int[] { offset + 2 + count, length };
    }

    private static byte[] sequence(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
