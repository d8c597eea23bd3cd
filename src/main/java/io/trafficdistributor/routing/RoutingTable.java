package io.trafficdistributor.routing;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.trafficdistributor.service.StoredDigest;

/**
 * Host → distributor. Exact names first, then the longest matching wildcard; a lookup costs one hash probe
 * per label of the host, whatever the number of distributors.
 * <p>
 * The distributors in it are immutable; the table itself is changed one distributor at a time by
 * {@link Routes} (a single writer), so that a change costs the size of that distributor, not of the whole
 * table: with tens of thousands of distributors, copying the table per change would make creating them
 * quadratic. Readers never lock and never see a hostname unmapped while its distributor is being replaced:
 * the new entries go in before the old ones come out. A full reload builds a new table and swaps it in.
 */
public final class RoutingTable {

    private final Map<String, CompiledDistributor> byName;
    private final Map<String, CompiledDistributor> exact;
    /** Keyed by the suffix a wildcard matches: {@code *.example.com} is stored as {@code .example.com}. */
    private final Map<String, CompiledDistributor> wildcard = new ConcurrentHashMap<>();
    /** The sum of {@link StoredDigest#entry} over the distributors in the table, kept as they change. */
    private volatile long digest;

    public RoutingTable() {
        this(16);
    }

    /** Sized for that many distributors (of a hostname or so each): a full load does not grow the maps step by step. */
    private RoutingTable(int distributors) {
        byName = new ConcurrentHashMap<>(distributors);
        exact = new ConcurrentHashMap<>(distributors);
    }

    public static RoutingTable of(Collection<CompiledDistributor> distributors) {
        RoutingTable table = new RoutingTable(distributors.size());
        distributors.forEach(table::put);
        return table;
    }

    /** The distributor for a request's Host (any case, port already stripped), or null. */
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

    /**
     * Whether this table routes exactly the distributors (names, ids, versions) the database holds, as far as its
     * digest tells: equal count and sum. A distributor changing meanwhile makes it false, never wrongly true.
     */
    public boolean matches(StoredDigest stored) {
        return byName.size() == stored.count() && digest == stored.sum();
    }

    private static long entry(CompiledDistributor distributor) {
        return StoredDigest.entry(distributor.name(), distributor.id(), distributor.version());
    }

    /** Adds a distributor or replaces the one of the same name. Single writer only. */
    void put(CompiledDistributor distributor) {
        CompiledDistributor old = byName.put(distributor.name(), distributor);
        digest += entry(distributor) - (old == null ? 0 : entry(old));
        for (String hostname : distributor.hostnames()) {
            mapFor(hostname).put(key(hostname), distributor);
        }
        if (old != null) {
            Set<String> kept = Set.copyOf(distributor.hostnames());
            for (String hostname : old.hostnames()) {
                if (!kept.contains(hostname)) {
                    // Only if still ours: another distributor may have taken the hostname over already.
                    mapFor(hostname).remove(key(hostname), old);
                }
            }
        }
    }

    /** Removes the named distributor. Single writer only. */
    void remove(String name) {
        CompiledDistributor old = byName.remove(name);
        if (old != null) {
            digest -= entry(old);
            for (String hostname : old.hostnames()) {
                mapFor(hostname).remove(key(hostname), old);
            }
        }
    }

    private Map<String, CompiledDistributor> mapFor(String hostname) {
        return hostname.startsWith("*.") ? wildcard : exact;
    }

    private static String key(String hostname) {
        return hostname.startsWith("*.") ? hostname.substring(1) : hostname;
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
}
