package io.trafficdistributor.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Private keys at rest: AES-256-GCM under a key derived from {@code td.secret-key} (SHA-256 of the secret), a
 * fresh random 12-byte nonce per write, stored as nonce then ciphertext and tag. The certificate's name is the
 * associated data, so a stored key cannot be moved to another certificate's row unnoticed. Without a secret,
 * keys are stored as they came (and the service says so once at start).
 */
public final class KeyEncryption {

    /** How a stored key is kept: its {@code key_encryption} column. */
    public static final String NONE = "none";
    public static final String AES_GCM = "aes-gcm";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public KeyEncryption(Optional<String> secret) {
        this.key = secret.filter(s -> !s.isEmpty()).map(KeyEncryption::derive).orElse(null);
    }

    private static SecretKeySpec derive(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(digest, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean enabled() {
        return key != null;
    }

    /** How {@link #seal} stores keys now. */
    public String scheme() {
        return enabled() ? AES_GCM : NONE;
    }

    public byte[] seal(String name, String privateKeyPem) {
        byte[] plain = privateKeyPem.getBytes(StandardCharsets.US_ASCII);
        if (key == null) {
            return plain;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            byte[] stored = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
            return stored;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * The key PEM of a stored row.
     *
     * @throws IllegalStateException when it is encrypted and no secret, or another one, is set; the message says
     *                               which, never what the key is
     */
    public String open(String name, String scheme, byte[] stored) {
        if (NONE.equals(scheme)) {
            return new String(stored, StandardCharsets.US_ASCII);
        }
        if (!AES_GCM.equals(scheme)) {
            throw new IllegalStateException("its key is stored as '" + scheme + "', which this version cannot read");
        }
        if (key == null) {
            throw new IllegalStateException("its key is encrypted and td.secret-key is not set");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("its key does not decrypt with td.secret-key (another secret was set when it"
                    + " was stored?)");
        }
    }
}
