package io.trafficdistributor.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Creations waiting for the {@link CreationWriter}, oldest first. The writer takes all that wait, up to a group's
 * size, as one group: those that arrived while the previous group was being written go together, and a creation
 * that finds the writer idle goes alone at once (no waiting for company that may not come).
 */
final class CreationQueue<T> {

    private final LinkedBlockingQueue<T> waiting = new LinkedBlockingQueue<>();
    private final int maxGroup;

    CreationQueue(int maxGroup) {
        if (maxGroup < 1) {
            throw new IllegalArgumentException("a group holds at least one creation");
        }
        this.maxGroup = maxGroup;
    }

    /** Queues one creation; never blocks. */
    void add(T creation) {
        waiting.add(creation);
    }

    /** Waits until a creation waits, then takes it and those behind it, at most the group's size, in arrival order. */
    List<T> takeGroup() throws InterruptedException {
        List<T> group = new ArrayList<>();
        group.add(waiting.take());
        waiting.drainTo(group, maxGroup - 1);
        return group;
    }

    /** How many creations wait. */
    int size() {
        return waiting.size();
    }

    /** Takes whatever waits, without waiting: what is left when the writer stops. */
    List<T> takeRest() {
        List<T> rest = new ArrayList<>();
        waiting.drainTo(rest);
        return rest;
    }
}
