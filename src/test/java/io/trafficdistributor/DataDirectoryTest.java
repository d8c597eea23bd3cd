package io.trafficdistributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;

/** The pure parts of a crash-safe start: reading postmaster.pid, knowing our binaries, keeping the log short. */
class DataDirectoryTest {

    @Test
    void readsThePidOnThePostmasterFilesFirstLine() throws IOException {
        Path file = Files.createTempFile("postmaster", ".pid");
        Files.writeString(file, "4242\n/var/lib/data\n1732590000\n5432\n");
        assertEquals(OptionalLong.of(4242), DataDirectory.postmasterPid(file));
    }

    @Test
    void aMissingOrGarbledPidFileNamesNoProcess() throws IOException {
        assertEquals(OptionalLong.empty(), DataDirectory.postmasterPid(Path.of("/nonexistent/postmaster.pid")));
        Path empty = Files.createTempFile("postmaster", ".pid");
        assertEquals(OptionalLong.empty(), DataDirectory.postmasterPid(empty));
        for (String line : new String[] {"", "  ", "-1", "0", "12a", "99999999999", "1 2"}) {
            assertEquals(OptionalLong.empty(), DataDirectory.parsePid(line), line);
        }
        assertEquals(OptionalLong.of(17), DataDirectory.parsePid(" 17 "));
    }

    @Test
    void ourServerRunsTheBinariesTheLibraryUnpacks() {
        assertTrue(DataDirectory.isEmbeddedBinary(Path.of("/tmp/embedded-pg/PG-8633e0cc/bin/postgres")));
        assertFalse(DataDirectory.isEmbeddedBinary(Path.of("/usr/lib/postgresql/15/bin/postgres")));
        assertFalse(DataDirectory.isEmbeddedBinary(Path.of("/opt/not-embedded-pg/bin/postgres")));
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsOneLineNamingTheSetting() throws IOException {
        Path file = Files.createTempFile("not-a-directory", ".txt");
        StartupFailure failure = assertThrows(StartupFailure.class, () -> new DataDirectory(file.resolve("data")).prepare());
        assertTrue(failure.getMessage().startsWith("Cannot create the data directory " + file.resolve("data") + " (td.data-dir)"),
                failure.getMessage());
        assertEquals(0, failure.getStackTrace().length, "a start-up failure carries no stack trace");
    }

    @Test
    void aFreshDirectoryIsReadyWithoutChecks() throws IOException {
        Path dir = Files.createTempDirectory("td-data").resolve("new");
        DataDirectory directory = new DataDirectory(dir);
        directory.prepare();
        assertTrue(Files.isDirectory(dir));
        assertFalse(directory.initialised());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "initdb needs the directory empty");
        }
    }

    @Test
    void postgresChatterIsDroppedAndItsProblemsKept() {
        assertFalse(PostgresOutput.passes(Level.INFO, "creating subdirectories ... ok"));
        assertFalse(PostgresOutput.passes(Level.INFO, "    /tmp/embedded-pg/PG-1/bin/pg_ctl -D /data -l logfile start"));
        assertFalse(PostgresOutput.passes(Level.INFO, "2026-11-26 02:23:22.086 UTC [15387] LOG:  received fast shutdown request"));
        assertTrue(PostgresOutput.passes(Level.INFO,
                "2026-11-26 02:30:20.025 UTC [26689] FATAL:  lock file \"postmaster.pid\" already exists"));
        assertTrue(PostgresOutput.passes(Level.INFO, "2026-11-26 02:30:20.025 UTC [1] PANIC:  could not write to file"));
        assertTrue(PostgresOutput.passes(Level.INFO, "2026-11-26 02:30:20.025 UTC [1] WARNING:  archive_mode enabled"));
        assertTrue(PostgresOutput.passes(Level.WARNING, "Could not stop postmaster"));
    }
}
