package io.trafficdistributor.proxy;

import java.util.ArrayList;
import java.util.List;

import io.trafficdistributor.routing.CompiledBackend;
import io.trafficdistributor.routing.CompiledDistributor;

/**
 * One client request's way through its distributor's backends: which were tried, which answered. Never
 * more attempts than backends.
 */
final class Attempts {

    final CompiledDistributor distributor;
    /** The backend the client's sticky cookie names, or null. */
    final CompiledBackend affinity;
    final long startNanos = System.nanoTime();

    private long tried; // bit i: backend i was tried (a distributor has at most 64 backends)
    int count;
    CompiledBackend current;
    /** Whether any attempt went to a backend that was not DOWN (else a failure is "no backend available"). */
    boolean triedAvailable;

    Attempts(CompiledDistributor distributor, CompiledBackend affinity) {
        this.distributor = distributor;
        this.affinity = affinity;
    }

    boolean hasUntried() {
        return count < distributor.backends().size();
    }

    /**
     * The backend for the next attempt, or null when every backend was tried: the balancer's pick among the
     * untried backends that are not DOWN; when all of those are DOWN, the first untried one in list order,
     * since probes can be wrong and an attempt costs less than an error.
     */
    CompiledBackend next() {
        List<CompiledBackend> backends = distributor.backends();
        if (!hasUntried()) {
            return null;
        }
        CompiledBackend chosen;
        if (count == 0 && allAvailable(backends)) {
            chosen = distributor.balancer().pick(backends, affinity); // the common case: no list to build
            triedAvailable = true;
        } else {
            List<CompiledBackend> candidates = new ArrayList<>(backends.size() - count);
            CompiledBackend firstUntried = null;
            for (CompiledBackend backend : backends) {
                if ((tried & (1L << backend.index())) == 0) {
                    if (firstUntried == null) {
                        firstUntried = backend;
                    }
                    if (backend.health().available()) {
                        candidates.add(backend);
                    }
                }
            }
            if (candidates.isEmpty()) {
                chosen = firstUntried;
            } else {
                chosen = distributor.balancer().pick(candidates, affinity);
                triedAvailable = true;
            }
        }
        tried |= 1L << chosen.index();
        count++;
        current = chosen;
        return chosen;
    }

    private static boolean allAvailable(List<CompiledBackend> backends) {
        for (int i = 0; i < backends.size(); i++) {
            if (!backends.get(i).health().available()) {
                return false;
            }
        }
        return true;
    }
}
