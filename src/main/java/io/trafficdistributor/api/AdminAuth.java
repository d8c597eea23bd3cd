package io.trafficdistributor.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import io.trafficdistributor.config.TdConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * With {@code td.admin.token} set, the admin port's {@code /api} and {@code /q} paths need
 * {@code Authorization: Bearer <token>}, except {@code /q/health} (load balancers and orchestrators probe it
 * without one). A Vert.x route ahead of every other, because {@code /q/metrics}, {@code /q/openapi} and
 * Swagger UI are Vert.x routes that a JAX-RS filter never sees; so this is the one place of the rule, for the
 * REST API too. Everything else under {@code /q} needs the token as well: a management route added later is
 * closed until someone decides otherwise.
 */
@Singleton
public class AdminAuth {

    /** Before {@link BodyLimit}: a caller without the token learns nothing, not even the body limit. */
    static final int ORDER = Integer.MIN_VALUE;
    private static final String CHALLENGE = "Bearer realm=\"traffic-distributor\"";

    void install(@Observes Router router, TdConfig config) {
        config.admin().token().filter(t -> !t.isBlank()).ifPresent(token -> {
            byte[] expected = sha256(token);
            router.route().order(ORDER).handler(ctx -> authenticate(ctx, expected));
        });
    }

    private static void authenticate(RoutingContext ctx, byte[] expected) {
        if (!needsToken(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        String token = bearerToken(header);
        // Digests of equal length, compared in constant time: neither the answer time nor a length shortcut
        // tells how much of a guessed token was right, or how long the real one is.
        if (token != null && MessageDigest.isEqual(expected, sha256(token))) {
            ctx.next();
            return;
        }
        String detail = header == null
                ? "This needs 'Authorization: Bearer <token>' (td.admin.token)."
                : token == null ? "The Authorization header is not 'Bearer <token>'."
                : "The bearer token is not the configured admin token.";
        Problem problem = Problem.of(Response.Status.UNAUTHORIZED, "unauthorized", detail);
        ctx.response().setStatusCode(401)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader("WWW-Authenticate", CHALLENGE)
                .end(Json.encode(problem));
    }

    /** Whether a request for this (normalised) path needs the token: {@code /api} and {@code /q}, but not {@code /q/health}. */
    static boolean needsToken(String path) {
        // Decoded, as JAX-RS matches its resources: /%61pi/v1/distributors reaches the API as /api/... does.
        String p = collapseSlashes(percentDecoded(path == null ? "/" : path));
        if (underSegment(p, "/api")) {
            return true;
        }
        return underSegment(p, "/q") && !underSegment(p, "/q/health");
    }

    private static boolean underSegment(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** Every {@code %XX} decoded (runs of them as UTF-8); a malformed escape is left as it is. */
    static String percentDecoded(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < path.length()) {
            if (path.charAt(i) == '%' && i + 2 < path.length() && Character.digit(path.charAt(i + 1), 16) >= 0
                    && Character.digit(path.charAt(i + 2), 16) >= 0) {
                run.write(Character.digit(path.charAt(i + 1), 16) * 16 + Character.digit(path.charAt(i + 2), 16));
                i += 3;
                continue;
            }
            if (run.size() > 0) {
                out.append(run.toString(StandardCharsets.UTF_8));
                run.reset();
            }
            out.append(path.charAt(i++));
        }
        out.append(run.toString(StandardCharsets.UTF_8));
        return out.toString();
    }

    private static String collapseSlashes(String path) {
        if (!path.contains("//")) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The token of {@code Authorization: Bearer <token>}, or null when the header is absent or not of that form.
     * The scheme is case-insensitive and separated from the token by one or more spaces (RFC 9110 §11.4,
     * {@code credentials = auth-scheme [ 1*SP token68 ]}); whitespace around the field value is not part of it.
     */
    static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String value = trimOws(header);
        int space = value.indexOf(' ');
        if (space != "Bearer".length() || !value.regionMatches(true, 0, "Bearer", 0, space)) {
            return null;
        }
        int start = space;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        String token = value.substring(start);
        return token.isEmpty() ? null : token;
    }

    private static String trimOws(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.substring(from, to);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
