package io.trafficdistributor.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Which versions of which distributors the database holds, in one row: how many there are, and the sum (modulo
 * 2<sup>64</sup>) of {@link #entry} over them. PostgreSQL computes it in one aggregate ({@link #QUERY}) and the routing
 * table keeps the same sum as it changes, so a reconcile that finds the two equal knows the table is in step without
 * reading a row per distributor: with 100,000 distributors, the list and set it built every 30 s were a large part of
 * the service's idle CPU and garbage. A sum is used because it is order-free and can be kept up to date one change at
 * a time (add the new entry, subtract the old).
 */
public record StoredDigest(long count, long sum) {

    /** One per thread: looking the algorithm up among the security providers cost more than the hash itself. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(StoredDigest::md5);

    /**
     * The first 64 bits of MD5 over {@code name id version} (UTF-8, the id in its usual lower-case form), big-endian:
     * a hash PostgreSQL can compute too, without an extension. Not for security: only to tell versions apart.
     */
    public static long entry(String name, UUID id, long version) {
        byte[] hash = MD5.get().digest((name + ' ' + id + ' ' + version).getBytes(StandardCharsets.UTF_8));
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = value << 8 | (hash[i] & 0xff);
        }
        return value;
    }

    /** The same sum over the stored rows; numeric, so that it never overflows (its low 64 bits are the sum). */
    static final String QUERY = """
            select count(*),
                   coalesce(sum(('x' || left(md5(d.name || ' ' || d.id::text || ' ' || d.version::text), 16))::bit(64)::bigint), 0)
            from distributor d""";

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }
}
