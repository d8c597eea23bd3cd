package io.trafficdistributor.tls;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which certificate a TLS client gets for the name it sent by SNI: one whose DNS names hold the name exactly,
 * else one with a wildcard name covering it ({@code *.example.com} covers {@code a.example.com}, one label only:
 * not {@code a.b.example.com}, not {@code example.com}), else the default certificate, else none (the handshake
 * then fails with {@code unrecognized_name}). Immutable; a lookup costs at most two hash probes.
 * <p>
 * When two certificates name the same host, the one added first wins: callers add the longest-lived first, so a
 * renewed certificate uploaded beside the old one takes over at once.
 */
public final class SniSelector<T> {

    private final Map<String, T> exact;
    /** Keyed by the suffix a wildcard covers: {@code *.example.com} is stored as {@code .example.com}. */
    private final Map<String, T> wildcard;
    private final T fallback;

    private SniSelector(Map<String, T> exact, Map<String, T> wildcard, T fallback) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.fallback = fallback;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** The certificate for the SNI name {@code hostname} (null when the client sent none), or null. */
    public T select(String hostname) {
        T found = match(hostname);
        return found != null ? found : fallback;
    }

    /** The certificate whose names cover {@code hostname}, without the default, or null. */
    public T match(String hostname) {
        if (hostname == null || hostname.isEmpty()) {
            return null;
        }
        String name = normalise(hostname);
        T found = exact.get(name);
        if (found != null) {
            return found;
        }
        int dot = name.indexOf('.');
        return dot > 0 ? wildcard.get(name.substring(dot)) : null;
    }

    private static String normalise(String hostname) {
        String name = hostname.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    public static final class Builder<T> {
        private final Map<String, T> exact = new HashMap<>();
        private final Map<String, T> wildcard = new HashMap<>();
        private T fallback;

        private Builder() {
        }

        /** A certificate and its DNS names; a name already taken by an earlier certificate stays with it. */
        public Builder<T> add(Collection<String> dnsNames, T certificate) {
            for (String dnsName : dnsNames) {
                String name = normalise(dnsName);
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(1), certificate);
                } else if (!name.contains("*")) {
                    exact.putIfAbsent(name, certificate);
                }
            }
            return this;
        }

        /** The certificate for a client that sent no name, or one no certificate covers. */
        public Builder<T> fallback(T certificate) {
            this.fallback = certificate;
            return this;
        }

        public SniSelector<T> build() {
            return new SniSelector<>(Map.copyOf(exact), Map.copyOf(wildcard), fallback);
        }
    }
}
