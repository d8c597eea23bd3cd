package io.trafficdistributor.service;

import java.time.OffsetDateTime;

/**
 * Where a distributor's ACME certificate stands, as its status view shows it ({@code tls}).
 *
 * @param state         {@code PENDING} (no certificate yet; ordering or about to), {@code VALID}, {@code RENEWING}
 *                      (a valid certificate is served while a new one is ordered), {@code FAILED} (the last order
 *                      failed; retried at {@code nextAttemptAt})
 * @param certificate   the certificate's name in /api/v1/certificates, once there is one
 * @param notAfter      the served certificate's expiry, once there is one
 * @param renewAt       when it is renewed (two thirds of its lifetime)
 * @param lastError     why the last order failed, null after a success
 * @param failures      orders failed in a row
 * @param nextAttemptAt when this distributor's certificate is next looked at
 */
public record AcmeStatus(String state, String certificate, OffsetDateTime notAfter, OffsetDateTime renewAt,
        String lastError, int failures, OffsetDateTime nextAttemptAt) {
}
