package io.trafficdistributor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * SIGTERM and SIGINT handed to the service instead of the JVM's default (which runs the shutdown hooks at once
 * and so closes the admin listener before the proxy has drained). The handler runs on a thread of its own; it
 * is told whether a signal came before, so that a second Ctrl-C can cut a drain short.
 */
public final class TerminationSignals {

    private static final Logger LOG = Logger.getLogger(TerminationSignals.class);
    private static final AtomicInteger RECEIVED = new AtomicInteger();

    private TerminationSignals() {
    }

    /** One signal received: its name (TERM, INT), whether it is not the first, and the conventional exit status. */
    public record Signal(String name, int number, boolean repeated) {
        public int exitStatus() {
            return 128 + number;
        }
    }

    /**
     * Installs {@code handler} for SIGTERM and SIGINT. Where the JVM does not let an application handle them
     * ({@code -Xrs}, another platform), the JVM's default stays, and the service still drains in its shutdown.
     */
    public static void handle(Consumer<Signal> handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), received -> {
                    Signal signal = new Signal(name, received.getNumber(), RECEIVED.getAndIncrement() > 0);
                    Thread thread = new Thread(() -> handler.accept(signal), "SIG" + name + "-drain");
                    thread.start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                LOG.debugf("SIG%s stays with the JVM: %s", name, e.getMessage());
            }
        }
    }
}
