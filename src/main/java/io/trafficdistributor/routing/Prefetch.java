package io.trafficdistributor.routing;

import java.lang.management.ManagementFactory;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Items a producer hands out on a thread of its own, iterated by the caller while the producer goes on: at
 * startup the distributors are read from PostgreSQL (the database and the JDBC driver at work) while those already
 * read are compiled, instead of one after the other. The queue is bounded, so the reader never runs far ahead and
 * the documents are never all in memory at once. A failure of the producer is thrown by the iterator. One
 * iteration only.
 */
final class Prefetch<T> implements Iterable<T> {

    /** The end of the items, or the producer's failure. */
    private record End(RuntimeException failure) {
    }

    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private volatile long producedAtNanos;
    /** Time the producer waited for room in the queue: the consumer was the slower. */
    private volatile long producerWaitNanos;
    /** The CPU time the producer's thread used, or -1 where the JVM does not measure it. */
    private volatile long producerCpuNanos;
    /** Time the consumer waited for an item: the producer was the slower. */
    private long consumerWaitNanos;

    /** Starts {@code produce} on a new thread named {@code name}; it hands each item to the consumer it is given. */
    Prefetch(String name, int capacity, Consumer<Consumer<T>> produce) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.producer = new Thread(() -> {
            RuntimeException failure = null;
            try {
                produce.accept(this::put);
            } catch (RuntimeException e) {
                failure = e;
            }
            producerCpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            producedAtNanos = System.nanoTime();
            put(new End(failure));
        }, name);
        producer.setDaemon(true);
        producer.start();
    }

    /** When the producer finished ({@link System#nanoTime()}), or 0 while it runs. */
    long producedAtNanos() {
        return producedAtNanos;
    }

    /** How long the producer waited for the consumer, in ms (read once the iteration has ended). */
    long producerWaitMillis() {
        return producerWaitNanos / 1_000_000;
    }

    /** The CPU time of the producer, in ms (read once the iteration has ended), or a negative number if unknown. */
    long producerCpuMillis() {
        return producerCpuNanos / 1_000_000;
    }

    /** How long the consumer waited for the producer, in ms (read on the iterating thread). */
    long consumerWaitMillis() {
        return consumerWaitNanos / 1_000_000;
    }

    private void put(Object item) {
        if (queue.offer(item)) {
            return;
        }
        long waitFrom = System.nanoTime();
        try {
            queue.put(item);
            producerWaitNanos += System.nanoTime() - waitFrom;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing over " + item, e);
        }
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = queue.poll();
                }
                if (next == null) {
                    long waitFrom = System.nanoTime();
                    try {
                        next = queue.take();
                        consumerWaitNanos += System.nanoTime() - waitFrom;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        producer.interrupt();
                        throw new IllegalStateException("interrupted while loading", e);
                    }
                }
                if (next instanceof End end) {
                    if (end.failure() != null) {
                        throw end.failure();
                    }
                    return false;
                }
                return true;
            }

            @Override
            @SuppressWarnings("unchecked")
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T item = (T) next;
                next = null;
                return item;
            }
        };
    }
}
