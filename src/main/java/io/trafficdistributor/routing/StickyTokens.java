package io.trafficdistributor.routing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sticky-session cookie values: HMAC-SHA-256 of distributor and backend name under the cluster secret,
 * truncated to 128 bits, base64url. A client cannot make one without the secret, so a cookie it forged (or kept
 * from an older, unkeyed version) names no backend and the client is treated as new; the value holds no address,
 * and is the same on every replica and after restarts, because they all read the same secret.
 */
public final class StickyTokens {

    private static final String ALGORITHM = "HmacSHA256";
    static final int TOKEN_BYTES = 16;

    private final SecretKeySpec key;
    private final Mac prototype;

    public StickyTokens(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("the sticky-cookie key needs at least 16 bytes");
        }
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.prototype = newMac();
    }

    /** The cookie value that pins a client to {@code backend} of {@code distributor}; computed at compile time only. */
    public String token(String distributor, String backend) {
        // Neither name can hold a line feed (their patterns forbid it), so the message is unambiguous.
        byte[] mac = mac().doFinal((distributor + '\n' + backend).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, TOKEN_BYTES));
    }

    /** A Mac of its own per call (a Mac is not thread-safe); a clone of the keyed one skips the key setup. */
    private Mac mac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac();
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
