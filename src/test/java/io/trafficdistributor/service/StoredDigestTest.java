package io.trafficdistributor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The per-distributor hash whose sum PostgreSQL and the routing table both keep. */
class StoredDigestTest {

    static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Test
    void isTheFirst64BitsOfMd5OverNameIdAndVersion() {
        // md5("shop 00000000-0000-0000-0000-000000000001 7"), first 8 bytes as a signed big-endian long (Python's
        // hashlib): what ('x' || left(md5(...), 16))::bit(64)::bigint gives in PostgreSQL.
        assertEquals(411996349654152533L, StoredDigest.entry("shop", ID, 7));
    }

    @Test
    void eachPartCounts() {
        long entry = StoredDigest.entry("shop", ID, 7);
        assertNotEquals(entry, StoredDigest.entry("shop", ID, 8));
        assertNotEquals(entry, StoredDigest.entry("shop2", ID, 7));
        assertNotEquals(entry, StoredDigest.entry("shop", UUID.fromString("00000000-0000-0000-0000-000000000002"), 7));
    }
}
