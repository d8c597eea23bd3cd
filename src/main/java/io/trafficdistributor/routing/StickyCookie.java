package io.trafficdistributor.routing;

import io.trafficdistributor.domain.SameSite;

/**
 * The cookie that pins a client to its backend (STICKY_SESSIONS), as the proxy sets it.
 *
 * @param maxAgeSeconds null for a session cookie
 */
public record StickyCookie(String cookieName, Integer maxAgeSeconds, SameSite sameSite) {
}
