package io.trafficdistributor;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Stops the embedded PostgreSQL when the service's JVM dies without stopping it (SIGKILL, an OOM kill, a crash).
 * A small {@code sh} child blocks reading a pipe whose other end only this JVM holds; when the JVM goes, however
 * it goes, the kernel closes that end, the read returns and the child sends the server SIGINT (PostgreSQL's fast
 * shutdown). A clean stop ends the watchdog before it stops the server.
 */
final class Watchdog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Watchdog.class);
    static final Watchdog NONE = new Watchdog(null);

    private final Process process;

    private Watchdog(Process process) {
        this.process = process;
    }

    /** A watchdog for the server whose PID the directory's {@code postmaster.pid} gives. */
    static Watchdog guard(DataDirectory directory) {
        OptionalLong pid = DataDirectory.postmasterPid(directory.path().resolve(DataDirectory.POSTMASTER_PID));
        if (pid.isEmpty()) {
            LOG.warnf("No PID in %s: the embedded PostgreSQL will outlive the service if it is killed",
                    directory.path().resolve(DataDirectory.POSTMASTER_PID));
            return NONE;
        }
        try {
            Process process = new ProcessBuilder("sh", "-c", "read -r _; kill -INT \"$1\" 2>/dev/null",
                    "td-postgres-watchdog", Long.toString(pid.getAsLong()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new Watchdog(process);
        } catch (IOException e) {
            LOG.warnf("No watchdog for the embedded PostgreSQL (%s): it will outlive the service if it is killed",
                    e.getMessage());
            return NONE;
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
