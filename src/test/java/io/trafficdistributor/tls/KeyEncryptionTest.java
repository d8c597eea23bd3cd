package io.trafficdistributor.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Keys at rest: AES-GCM under td.secret-key, a new nonce each time, bound to the certificate's name. */
class KeyEncryptionTest {

    static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n";

    @Test
    void aSealedKeyOpensWithTheSameSecretOnly() {
        KeyEncryption encryption = new KeyEncryption(Optional.of("s3cret"));
        byte[] sealed = encryption.seal("shop", KEY);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("PRIVATE"));
        assertEquals(KeyEncryption.AES_GCM, encryption.scheme());
        assertEquals(KEY, new KeyEncryption(Optional.of("s3cret")).open("shop", KeyEncryption.AES_GCM, sealed));
        IllegalStateException wrong = assertThrows(IllegalStateException.class,
                () -> new KeyEncryption(Optional.of("other")).open("shop", KeyEncryption.AES_GCM, sealed));
        assertTrue(wrong.getMessage().contains("does not decrypt"));
        assertThrows(IllegalStateException.class, () -> encryption.open("another-name", KeyEncryption.AES_GCM, sealed));
        assertThrows(IllegalStateException.class,
                () -> new KeyEncryption(Optional.empty()).open("shop", KeyEncryption.AES_GCM, sealed));
    }

    @Test
    void everyWriteHasItsOwnNonce() {
        KeyEncryption encryption = new KeyEncryption(Optional.of("s3cret"));
        assertNotEquals(Arrays.toString(encryption.seal("shop", KEY)), Arrays.toString(encryption.seal("shop", KEY)));
    }

    @Test
    void withoutASecretKeysAreStoredAsTheyCame() {
        KeyEncryption plain = new KeyEncryption(Optional.empty());
        assertFalse(plain.enabled());
        assertEquals(KeyEncryption.NONE, plain.scheme());
        assertEquals(KEY, plain.open("shop", KeyEncryption.NONE, plain.seal("shop", KEY)));
    }
}
