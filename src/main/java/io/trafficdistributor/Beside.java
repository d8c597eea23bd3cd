package io.trafficdistributor;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Startup work that runs on a thread of its own beside the routing table's load, and is waited for where its
 * result is needed. The load leaves one of two cores partly idle (it waits for PostgreSQL's rows); what would
 * otherwise follow it on the critical path (the first Hibernate query of the certificates, the JDK's TLS
 * defaults for the backend client) costs a few hundred milliseconds of a restart each.
 */
public final class Beside<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();

    private Beside(String threadName, Callable<T> work) {
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code work} on a new daemon thread named {@code threadName}. */
    public static <T> Beside<T> start(String threadName, Callable<T> work) {
        return new Beside<>(threadName, work);
    }

    /** The work's result, once it is done; its failure is thrown as it was thrown (a checked one wrapped). */
    public T await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CompletionException(cause);
        }
    }
}
