package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

/** Sticky cookie values: keyed, stable for one key, unforgeable without it. */
class StickyTokensTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theValueIsTheTruncatedHmacOfDistributorAndBackend() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        byte[] full = mac.doFinal("shop\nblue".getBytes(StandardCharsets.UTF_8));
        String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, 16));
        String token = new StickyTokens(KEY).token("shop", "blue");
        assertEquals(expected, token);
        assertEquals(22, token.length(), "128 bits in base64url without padding");
        assertTrue(token.matches("[A-Za-z0-9_-]+"), token);
    }

    /** Two compiled snapshots (a restart, another replica) with the same secret give every backend the same value. */
    @Test
    void theSameSecretGivesTheSameValues() {
        StickyTokens one = new StickyTokens(KEY);
        StickyTokens other = new StickyTokens(KEY.clone());
        assertEquals(one.token("shop", "blue"), other.token("shop", "blue"));
        assertEquals(one.token("shop", "blue"), one.token("shop", "blue"));
    }

    @Test
    void anotherSecretOrAnotherNameGivesAnotherValue() {
        StickyTokens tokens = new StickyTokens(KEY);
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        String token = tokens.token("shop", "blue");
        assertNotEquals(token, new StickyTokens(otherKey).token("shop", "blue"));
        assertNotEquals(token, tokens.token("shop", "green"));
        assertNotEquals(token, tokens.token("blog", "blue"));
        assertNotEquals(tokens.token("a", "b-c"), tokens.token("a-b", "c"));
    }

    /** What the proxy set before the values were keyed: anyone could compute it from the names. */
    @Test
    void theOldUnkeyedValueIsNotAValue() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("shop\nblue".getBytes(StandardCharsets.UTF_8));
        String old = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
        assertNotEquals(old, new StickyTokens(KEY).token("shop", "blue"));
    }

    @Test
    void theValueHoldsNoAddressOrName() {
        String token = new StickyTokens(KEY).token("shop", "blue");
        assertFalse(token.contains("shop") || token.contains("blue"), token);
    }

    @Test
    void aShortKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StickyTokens(new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new StickyTokens(null));
    }
}
