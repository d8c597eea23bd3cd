package io.trafficdistributor.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.trafficdistributor.config.TdConfig;

/**
 * With {@code td.admin.token} set, every {@code /api} call needs {@code Authorization: Bearer <token>}.
 * Pre-matching, so an unknown path under {@code /api} is refused the same way and reveals nothing.
 */
public class AdminAuthFilter {

    private final Optional<byte[]> expected;

    @Inject
    public AdminAuthFilter(TdConfig config) {
        this.expected = config.admin().token().filter(t -> !t.isBlank()).map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        if (expected.isEmpty() || !request.getUriInfo().getPath().startsWith("/api")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        // Constant-time comparison: the answer time must not reveal how much of a guessed token was right.
        if (header != null && MessageDigest.isEqual(expected.get(), header.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        String detail = header == null
                ? "This API needs 'Authorization: Bearer <token>' (td.admin.token)."
                : "The bearer token is not the configured admin token.";
        return Optional.of(Response.fromResponse(Problem.of(Response.Status.UNAUTHORIZED, "unauthorized", detail).toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"traffic-distributor\"").build());
    }
}
