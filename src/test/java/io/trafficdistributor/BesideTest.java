package io.trafficdistributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

class BesideTest {

    @Test
    void theWorkRunsOnAThreadOfItsOwnAndItsResultIsAwaited() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Beside<String> work = Beside.start("td-test-beside", () -> {
            release.await();
            return Thread.currentThread().getName();
        });
        release.countDown(); // the caller goes on while the work waits: it is not run on the caller's thread
        assertEquals("td-test-beside", work.await());
        assertEquals("td-test-beside", work.await()); // awaited again, the same result
    }

    @Test
    void anUncheckedFailureIsThrownAsItWasThrown() {
        IllegalStateException failure = new IllegalStateException("no table");
        Beside<String> work = Beside.start("td-test-beside", () -> {
            throw failure;
        });
        assertSame(failure, assertThrows(IllegalStateException.class, work::await));
    }

    @Test
    void aCheckedFailureIsThrownWrappedWithItAsTheCause() {
        IOException failure = new IOException("no trust store");
        Beside<String> work = Beside.start("td-test-beside", () -> {
            throw failure;
        });
        assertSame(failure, assertThrows(CompletionException.class, work::await).getCause());
    }
}
