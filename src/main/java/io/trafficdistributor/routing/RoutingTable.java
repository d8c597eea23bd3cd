package io.trafficdistributor.routing;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Host → distributor, immutable. Exact names first, then the longest matching wildcard; a lookup costs one
 * hash probe per label of the host, whatever the number of distributors. Changes make a new table
 * ({@link #with}, {@link #without}) that is swapped in whole.
 */
public final class RoutingTable {

    public static final RoutingTable EMPTY = new RoutingTable(Map.of(), Map.of(), Map.of());

    private final Map<String, CompiledDistributor> byName;
    private final Map<String, CompiledDistributor> exact;
    /** Keyed by the suffix a wildcard matches: {@code *.example.com} is stored as {@code .example.com}. */
    private final Map<String, CompiledDistributor> wildcard;

    private RoutingTable(Map<String, CompiledDistributor> byName, Map<String, CompiledDistributor> exact,
            Map<String, CompiledDistributor> wildcard) {
        this.byName = byName;
        this.exact = exact;
        this.wildcard = wildcard;
    }

    public static RoutingTable of(Collection<CompiledDistributor> distributors) {
        Builder builder = new Builder(Map.of(), Map.of(), Map.of());
        distributors.forEach(builder::put);
        return builder.build();
    }

    /**
     * The distributor for a request's Host (any case, port already stripped), or null.
     */
    public CompiledDistributor lookup(String host) {
        String name = lowerCase(host);
        CompiledDistributor found = exact.get(name);
        if (found != null || wildcard.isEmpty()) {
            return found;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            found = wildcard.get(name.substring(dot));
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    public CompiledDistributor byName(String name) {
        return byName.get(name);
    }

    public Collection<CompiledDistributor> distributors() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }

    /** A table with this distributor added or replaced. */
    public RoutingTable with(CompiledDistributor distributor) {
        Builder builder = new Builder(byName, exact, wildcard);
        builder.remove(distributor.name());
        builder.put(distributor);
        return builder.build();
    }

    /** A table without the named distributor. */
    public RoutingTable without(String name) {
        if (!byName.containsKey(name)) {
            return this;
        }
        Builder builder = new Builder(byName, exact, wildcard);
        builder.remove(name);
        return builder.build();
    }

    private static String lowerCase(String host) {
        // Most Host headers are already lower-case: skip the copy then.
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return host;
    }

    private static final class Builder {
        private final Map<String, CompiledDistributor> byName;
        private final Map<String, CompiledDistributor> exact;
        private final Map<String, CompiledDistributor> wildcard;

        Builder(Map<String, CompiledDistributor> byName, Map<String, CompiledDistributor> exact,
                Map<String, CompiledDistributor> wildcard) {
            this.byName = new HashMap<>(byName);
            this.exact = new HashMap<>(exact);
            this.wildcard = new HashMap<>(wildcard);
        }

        void put(CompiledDistributor distributor) {
            byName.put(distributor.name(), distributor);
            for (String hostname : distributor.definition().hostnames()) {
                if (hostname.startsWith("*.")) {
                    wildcard.put(hostname.substring(1), distributor);
                } else {
                    exact.put(hostname, distributor);
                }
            }
        }

        void remove(String name) {
            CompiledDistributor old = byName.remove(name);
            if (old == null) {
                return;
            }
            for (String hostname : old.definition().hostnames()) {
                if (hostname.startsWith("*.")) {
                    wildcard.remove(hostname.substring(1), old);
                } else {
                    exact.remove(hostname, old);
                }
            }
        }

        RoutingTable build() {
            return new RoutingTable(byName, exact, wildcard);
        }
    }
}
