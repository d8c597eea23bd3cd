package io.trafficdistributor.service;

import java.net.IDN;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.service.validation.Hostname;
import io.trafficdistributor.service.validation.UniqueHostnames;
import io.trafficdistributor.service.validation.ValidBackends;

/**
 * A distributor as the API reads and writes it. Fields left out of a request take their defaults
 * ({@link #withDefaults()}); the read-only fields are ignored in requests.
 */
@ValidBackends
public record DistributorDocument(
        @NotNull @Pattern(regexp = NAME_PATTERN, message = NAME_RULE) String name,
        @NotNull @Size(min = 1, max = 100) @UniqueHostnames List<@NotNull @Hostname String> hostnames,
        @NotNull RoutingMethod routing,
        @NotNull Boolean enabled,
        @NotNull @Size(min = 1, max = 64, message = "must hold 1 to 64 backends") List<@NotNull @Valid BackendDocument> backends,
        @NotNull @Valid StickySessionDocument stickySession,
        @NotNull @Valid HealthCheckDocument healthCheck,
        @NotNull @Valid TimeoutsDocument timeouts,
        @NotNull Boolean passHostHeader,
        @NotNull @Min(0) @Max(3600) Integer slowStartSeconds,
        @NotNull @Valid TlsDocument tls,
        @JsonProperty(access = JsonProperty.Access.READ_ONLY) UUID id,
        @JsonProperty(access = JsonProperty.Access.READ_ONLY) Long version,
        @JsonProperty(access = JsonProperty.Access.READ_ONLY) OffsetDateTime createdAt,
        @JsonProperty(access = JsonProperty.Access.READ_ONLY) OffsetDateTime updatedAt) {

    public static final String NAME_PATTERN = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    /** What {@link #NAME_PATTERN} asks for, as a violation's message. */
    public static final String NAME_RULE = "must be 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit";

    /** The document with every omitted field set to its default and every hostname normalised. */
    public DistributorDocument withDefaults() {
        return new DistributorDocument(
                name,
                hostnames == null ? null : hostnames.stream().map(DistributorDocument::normaliseHostname).toList(),
                routing == null ? RoutingMethod.ROUND_ROBIN : routing,
                enabled == null ? Boolean.TRUE : enabled,
                backends == null ? null : backends.stream().map(b -> b == null ? null : b.withDefaults()).toList(),
                (stickySession == null ? StickySessionDocument.DEFAULTS : stickySession).withDefaults(),
                (healthCheck == null ? HealthCheckDocument.DEFAULTS : healthCheck).withDefaults(),
                (timeouts == null ? TimeoutsDocument.DEFAULTS : timeouts).withDefaults(),
                passHostHeader == null ? Boolean.TRUE : passHostHeader,
                slowStartSeconds == null ? Integer.valueOf(0) : slowStartSeconds,
                (tls == null ? TlsDocument.DEFAULTS : tls).withDefaults(),
                id, version, createdAt, updatedAt);
    }

    /** The same document under another name (the name in the URL wins when the body has none). */
    public DistributorDocument withName(String newName) {
        return new DistributorDocument(newName, hostnames, routing, enabled, backends, stickySession, healthCheck,
                timeouts, passHostHeader, slowStartSeconds, tls, id, version, createdAt, updatedAt);
    }

    /** The same document with another list of backends. */
    public DistributorDocument withBackends(List<BackendDocument> newBackends) {
        return new DistributorDocument(name, hostnames, routing, enabled, newBackends, stickySession, healthCheck,
                timeouts, passHostHeader, slowStartSeconds, tls, id, version, createdAt, updatedAt);
    }

    /** Whether both describe the same configuration: every field but the read-only ones (id, version, times). */
    boolean sameConfigurationAs(DistributorDocument other) {
        return withMetadataOf(other).equals(other);
    }

    private DistributorDocument withMetadataOf(DistributorDocument other) {
        return new DistributorDocument(name, hostnames, routing, enabled, backends, stickySession, healthCheck,
                timeouts, passHostHeader, slowStartSeconds, tls, other.id, other.version, other.createdAt, other.updatedAt);
    }

    /** Hostnames are stored lower-case, internationalised names as punycode; an invalid one is left for validation. */
    static String normaliseHostname(String hostname) {
        if (hostname == null) {
            return null;
        }
        String trimmed = hostname.trim();
        boolean wildcard = trimmed.startsWith("*.");
        String domain = wildcard ? trimmed.substring(2) : trimmed;
        try {
            domain = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            return trimmed;
        }
        return (wildcard ? "*." : "") + domain.toLowerCase(Locale.ROOT);
    }
}
