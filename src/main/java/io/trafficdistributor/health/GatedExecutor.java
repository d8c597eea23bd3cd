package io.trafficdistributor.health;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An executor that holds its tasks until it is {@link #open() opened}, then hands them, and every later one, to
 * the executor behind it, in the order they came. {@link HealthRegistry} queues its registrations through one, so
 * that at start the probes of every backend wait until the routing table is loaded instead of taking the cores
 * from the load. Thread-safe; once open, a task costs one volatile read more than the executor behind.
 */
final class GatedExecutor implements Executor {

    private final Executor behind;
    private final Object lock = new Object();
    /** Tasks that came before {@link #open()}, in order; null once open. */
    private List<Runnable> held = new ArrayList<>();
    private volatile boolean open;

    GatedExecutor(Executor behind) {
        this.behind = behind;
    }

    @Override
    public void execute(Runnable task) {
        if (!open) {
            synchronized (lock) {
                if (!open) {
                    held.add(task);
                    return;
                }
            }
        }
        behind.execute(task);
    }

    /**
     * Hands the held tasks over, as one task that runs them in order (so none of the later ones can pass them on
     * an executor of one thread), and every later task as it comes. Only the first call does anything.
     */
    void open() {
        synchronized (lock) {
            if (open) {
                return;
            }
            List<Runnable> waiting = held;
            held = null;
            try {
                if (!waiting.isEmpty()) {
                    behind.execute(() -> waiting.forEach(Runnable::run));
                }
            } finally {
                open = true; // only now: a later task must not pass the held ones
            }
        }
    }

    boolean isOpen() {
        return open;
    }
}
