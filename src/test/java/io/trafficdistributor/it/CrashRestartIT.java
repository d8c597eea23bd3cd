package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/**
 * The packaged service on its embedded PostgreSQL, killed with SIGKILL (an OOM kill, a crash, a power cut of the
 * JVM alone) and started again on the same data: no human step, and every write the API acknowledged is there.
 */
class CrashRestartIT {

    static Map<String, String> embedded(Path dataDir) {
        return Map.of("td.data-dir", dataDir.toString());
    }

    @Test
    void aServiceKilledUnderWritesStartsAgainOnItsDataWithEveryAcknowledgedWrite() throws Exception {
        Path dataDir = Files.createTempDirectory("td-it-crash");
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ServiceProcess first = ServiceProcess.start("crash-first", embedded(dataDir))) {
            // A first start creates the database cluster in one line of its own, without initdb's thirty.
            String log = first.log();
            assertTrue(log.contains("with its data in " + dataDir.toAbsolutePath() + " (a new database cluster)"), log);
            assertFalse(log.contains("You can now start the database server"), log);
            assertFalse(log.contains("creating subdirectories"), log);
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    String name = "w-" + i;
                    try {
                        HttpResponse<String> created = first.admin("POST", "/api/v1/distributors", """
                                {"name":"%s","hostnames":["%s.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}"""
                                .formatted(name, name));
                        if (created.statusCode() == 201) {
                            acknowledged.add(name);
                        }
                    } catch (IOException | InterruptedException e) {
                        return; // the service is gone
                    }
                }
            }, "writer");
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.size() < 30) {
                assertTrue(System.nanoTime() < deadline, "only " + acknowledged.size() + " writes in 60 s");
                Thread.sleep(20);
            }
            first.kill(); // mid-write: the writer is still sending
            writing.set(false);
            writer.join(30_000);
            assertFalse(first.isAlive());
        }
        // The watchdog has stopped the orphaned server; the next start needs nothing from anyone.
        long started = System.nanoTime();
        try (ServiceProcess second = ServiceProcess.start("crash-second", embedded(dataDir))) {
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 45_000, "the restart took " + tookMillis + " ms");
            HttpResponse<String> all = second.admin("GET", "/api/v1/distributors?limit=1000", null);
            assertEquals(200, all.statusCode(), all.body());
            for (String name : acknowledged) {
                assertTrue(all.body().contains("\"name\":\"" + name + "\""), name + " was acknowledged but is lost");
            }
            assertFalse(second.log().contains("postmaster.pid\" already exists"), second.logTail());
        }
    }

    @Test
    void aServerOrphanedWithItsWatchdogIsStoppedByTheNextStart() throws Exception {
        Path dataDir = Files.createTempDirectory("td-it-orphan");
        long orphanPid;
        try (ServiceProcess first = ServiceProcess.start("orphan-first", embedded(dataDir))) {
            first.create("""
                    {"name":"kept","hostnames":["kept.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}""");
            // Killing the whole process group (or a power cut of the container) would take the server too; the
            // worst case is a server left running with nothing to stop it: kill the watchdog, then the service.
            List<ProcessHandle> watchdogs = first.children()
                    .filter(child -> child.info().arguments().map(List::of).orElse(List.of()).contains("td-postgres-watchdog"))
                    .toList();
            assertEquals(1, watchdogs.size(), "the service runs one watchdog for its server");
            watchdogs.get(0).destroyForcibly();
            watchdogs.get(0).onExit().get(10, TimeUnit.SECONDS);
            first.kill();
        }
        OptionalLong pid = postmasterPid(dataDir);
        assertTrue(pid.isPresent(), "no postmaster.pid after the kill");
        orphanPid = pid.getAsLong();
        assertTrue(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false), "the server did not outlive its service");

        try (ServiceProcess second = ServiceProcess.start("orphan-second", embedded(dataDir))) {
            assertTrue(second.log().contains("The embedded PostgreSQL (pid " + orphanPid + ") of a service that did not stop "
                    + "cleanly still runs on"), second.logTail());
            assertFalse(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false), "the orphan still runs");
            assertEquals(200, second.admin("GET", "/api/v1/distributors/kept", null).statusCode());
        }
    }

    @Test
    void aSecondServiceOnTheSameDataSaysSoInOneLineAndExits() throws Exception {
        Path dataDir = Files.createTempDirectory("td-it-shared-dir");
        try (ServiceProcess first = ServiceProcess.start("dir-owner", embedded(dataDir));
                ServiceProcess second = ServiceProcess.launch("dir-intruder", embedded(dataDir))) {
            assertTrue(second.awaitExit(Duration.ofSeconds(60)), "the second service did not exit");
            assertEquals(1, second.exitValue());
            String log = second.log();
            assertTrue(log.contains("The data directory " + dataDir.toAbsolutePath() + " (td.data-dir) is in use by another "
                    + "running Traffic Distributor"), log);
            assertFalse(log.contains("\tat "), "a stack trace:\n" + log);
            assertEquals(200, first.admin("GET", "/q/health/ready", null).statusCode(), "the first service was disturbed");
        }
    }

    static OptionalLong postmasterPid(Path dataDir) throws IOException {
        Path file = dataDir.resolve("postmaster.pid");
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(Files.readAllLines(file).get(0).trim()));
    }
}
