package io.trafficdistributor.routing;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.trafficdistributor.health.HealthRegistry;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.StoredVersion;

/**
 * Holds the current {@link RoutingTable}: the single writer of it. A change replaces one compiled
 * (immutable) distributor in the table; the load at start builds a new table and swaps it in; a reconcile
 * replaces only the distributors that differ from the database. Readers (the proxy's event loops) never lock. A
 * change that fails to compile leaves the distributor's previous compiled form serving.
 * <p>
 * Compiling a distributor tracks the health of its backends ({@link HealthRegistry#track}); a backend that
 * leaves the table, with its distributor or alone, is untracked here.
 */
@ApplicationScoped
public class Routes {

    private static final Logger LOG = Logger.getLogger(Routes.class);

    @Inject
    HealthRegistry health;

    @Inject
    Event<DistributorReplaced> replaced;

    private volatile RoutingTable table = new RoutingTable();
    /** Keyed by the cluster secret, set once at start before anything is compiled ({@link #keyStickyCookies}). */
    private volatile StickyTokens stickyTokens;

    /**
     * One change of a distributor at a time, and changes of different distributors side by side: an API write
     * compiles its distributor under the lock of its name's stripe, and holds this object's monitor, which every
     * change of the table takes, only to swap the compiled form in. Sixteen concurrent writes then compile in
     * parallel instead of queueing behind one lock. Taken stripe first, then the monitor; the load at start takes
     * every stripe.
     */
    private final ReentrantLock[] stripes = new ReentrantLock[64];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Counts applied single changes, so a full reload can tell which of its rows are older than them. */
    private long generation;
    private final Map<String, Long> appliedAt = new HashMap<>();

    /** Keys the sticky cookie values with the cluster secret; called once at start, before the first compile. */
    public synchronized void keyStickyCookies(byte[] key) {
        stickyTokens = new StickyTokens(key);
    }

    /** The current table; an in-flight request keeps the compiled distributor it started with. */
    public RoutingTable table() {
        return table;
    }

    /** Applies one committed change: the distributor's stored state, or null when it was deleted. */
    public void apply(String name, DistributorDocument distributor) {
        ReentrantLock stripe = stripe(name);
        stripe.lock();
        try {
            CompiledDistributor old = table.byName(name);
            CompiledDistributor now = null;
            if (distributor != null) {
                if (isApplied(name, distributor.id(), distributor.version())) {
                    return; // already applied (our own NOTIFY, or a reload that raced the local event)
                }
                now = compile(distributor, old);
            }
            synchronized (this) {
                if (now == null) {
                    table.remove(name);
                } else {
                    table.put(now);
                }
                appliedAt.put(name, ++generation);
            }
            untrackGone(old, now);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not compile distributor '%s'; its previous routing stays in effect", name);
        } finally {
            stripe.unlock();
        }
    }

    private ReentrantLock stripe(String name) {
        return stripes[Math.floorMod(name.hashCode(), stripes.length)];
    }

    /**
     * Whether this table already routes that version (or a later one) of that distributor. The id counts too:
     * a distributor deleted and created again under the same name starts its versions over.
     */
    public boolean isApplied(String name, UUID id, long version) {
        CompiledDistributor current = table.byName(name);
        return current != null && Objects.equals(current.id(), id) && current.version() >= version;
    }

    /** The generation to pass to {@link #replaceAll} when starting to read every distributor. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * Replaces the whole table with what was read from the database, except distributors changed by
     * {@link #apply} since {@code readStartedAt}: those are newer than the read, and stay as they are.
     */
    public void replaceAll(Iterable<DistributorDocument> distributors, long readStartedAt) {
        for (ReentrantLock stripe : stripes) {
            stripe.lock();
        }
        try {
            replaceAllLocked(distributors, readStartedAt);
        } finally {
            for (ReentrantLock stripe : stripes) {
                stripe.unlock();
            }
        }
    }

    private synchronized void replaceAllLocked(Iterable<DistributorDocument> distributors, long readStartedAt) {
        Set<String> newer = new HashSet<>();
        appliedAt.forEach((name, at) -> {
            if (at > readStartedAt) {
                newer.add(name);
            }
        });
        Map<String, CompiledDistributor> next = new HashMap<>();
        CompileMemo memo = CompileMemo.forLoad();
        for (DistributorDocument distributor : distributors) {
            String name = distributor.name();
            if (newer.contains(name)) {
                continue;
            }
            CompiledDistributor old = table.byName(name);
            if (old != null && Objects.equals(old.id(), distributor.id()) && old.version() == distributor.version()) {
                next.put(name, old); // unchanged: keep it, and its balancer's position
                continue;
            }
            try {
                next.put(name, compile(distributor, old, memo));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Could not compile distributor '%s'; its previous routing stays in effect", name);
                if (old != null) {
                    next.put(name, old);
                }
            }
        }
        for (String name : newer) {
            CompiledDistributor current = table.byName(name);
            if (current != null) {
                next.put(name, current);
            }
        }
        for (CompiledDistributor old : table.distributors()) {
            untrackGone(old, next.get(old.name()));
        }
        appliedAt.clear();
        table = RoutingTable.of(next.values());
    }

    /**
     * The names whose routing differs from what the database holds: stored distributors the table lacks or has at
     * another id or version, and distributors the table has that are no longer stored. Reads the table only (no
     * lock): a reconcile compares first, then reads those few, then {@link #applyRead applies} them.
     */
    public Set<String> differing(Collection<StoredVersion> stored) {
        RoutingTable current = table;
        Set<String> differing = new HashSet<>();
        Set<String> storedNames = new HashSet<>(stored.size() * 2);
        for (StoredVersion version : stored) {
            storedNames.add(version.name());
            CompiledDistributor compiled = current.byName(version.name());
            if (compiled == null || !Objects.equals(compiled.id(), version.id()) || compiled.version() != version.version()) {
                differing.add(version.name());
            }
        }
        for (CompiledDistributor compiled : current.distributors()) {
            if (!storedNames.contains(compiled.name())) {
                differing.add(compiled.name());
            }
        }
        return differing;
    }

    /**
     * Applies distributors read from the database since {@code readStartedAt} (a {@link #generation()}): those
     * {@code read}, and those of {@code names} it did not find, which are deleted. A name applied since the read
     * started ({@link #apply}: this replica's own write, most often) is newer than the read, and is left as it is,
     * unless the read has a later version of the same distributor (same id). A read that this overrules is
     * repaired by the next reconcile; reads must not overlap (the change feed makes one at a time), since the record
     * of what was applied since is cleared here.
     *
     * @return how many distributors this compiled or removed
     */
    public int applyRead(long readStartedAt, Collection<DistributorDocument> read, Collection<String> names) {
        int applied = 0;
        Set<String> found = new HashSet<>();
        for (DistributorDocument distributor : read) {
            String name = distributor.name();
            found.add(name);
            ReentrantLock stripe = stripe(name);
            stripe.lock();
            try {
                CompiledDistributor current = table.byName(name);
                if (changedSince(name, readStartedAt) && (current == null || !Objects.equals(current.id(), distributor.id()))) {
                    continue;
                }
                if (!isApplied(name, distributor.id(), distributor.version())) {
                    apply(name, distributor);
                    applied++;
                }
            } finally {
                stripe.unlock();
            }
        }
        for (String name : names) {
            if (found.contains(name)) {
                continue;
            }
            ReentrantLock stripe = stripe(name);
            stripe.lock();
            try {
                if (!changedSince(name, readStartedAt) && table.byName(name) != null) {
                    apply(name, null);
                    applied++;
                }
            } finally {
                stripe.unlock();
            }
        }
        synchronized (this) {
            appliedAt.clear();
        }
        return applied;
    }

    private synchronized boolean changedSince(String name, long readStartedAt) {
        Long at = appliedAt.get(name);
        return at != null && at > readStartedAt;
    }

    /** @param previous its compiled form so far, or null: slow start carries ramps over from it */
    private CompiledDistributor compile(DistributorDocument distributor, CompiledDistributor previous) {
        return compile(distributor, previous, CompileMemo.NONE);
    }

    private CompiledDistributor compile(DistributorDocument distributor, CompiledDistributor previous, CompileMemo memo) {
        if (stickyTokens == null) {
            throw new IllegalStateException("the sticky cookie key is not loaded yet");
        }
        return DistributorCompiler.compile(distributor, previous, health, stickyTokens, memo);
    }

    /**
     * Stops tracking the health of the backends {@code old} had and {@code now} (null when deleted) has not, and
     * tells the traffic side that {@code old} left the table.
     */
    private void untrackGone(CompiledDistributor old, CompiledDistributor now) {
        if (old == null || old == now) {
            return;
        }
        for (CompiledBackend backend : old.backends()) {
            if (now == null || now.backend(backend.name()) == null) {
                health.untrack(old.name(), backend.name());
            }
        }
        replaced.fire(new DistributorReplaced(old, now));
    }
}
