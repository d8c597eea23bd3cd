package io.trafficdistributor.health;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last {@link #KEPT} health transitions of each tracked distributor backend, newest first, in memory: what
 * "did a failover happen, and when?" needs without reading the log. Per process, like health itself; a backend
 * that is untracked (removed, or its distributor deleted) forgets its transitions. Transitions are rare, so a
 * lock per backend costs nothing on any hot path.
 */
final class TransitionLog {

    static final int KEPT = 10;

    private record Key(String distributor, String backend) {
    }

    private final Map<Key, Deque<HealthTransition>> recent = new ConcurrentHashMap<>();

    void record(String distributor, String backend, BackendHealth.Status from, BackendHealth.Status to, String reason) {
        HealthTransition transition = new HealthTransition(OffsetDateTime.now(ZoneOffset.UTC), from, to, reason);
        Deque<HealthTransition> log = recent.computeIfAbsent(new Key(distributor, backend), key -> new ArrayDeque<>(1));
        synchronized (log) {
            log.addFirst(transition);
            if (log.size() > KEPT) {
                log.removeLast();
            }
        }
    }

    List<HealthTransition> recent(String distributor, String backend) {
        Deque<HealthTransition> log = recent.get(new Key(distributor, backend));
        if (log == null) {
            return List.of();
        }
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    void forget(String distributor, String backend) {
        recent.remove(new Key(distributor, backend));
    }
}
