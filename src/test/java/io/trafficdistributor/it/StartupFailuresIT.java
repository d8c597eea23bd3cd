package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A start that cannot succeed ends at once with status 1 and one line that names what failed and the setting to
 * change: no stack trace to read through.
 */
class StartupFailuresIT {

    static Postgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = new Postgres().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    /** Launches the service, waits for it to give up, and returns its log. */
    static String failedStart(String name, Map<String, String> settings) throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(name, settings)) {
            assertTrue(service.awaitExit(Duration.ofSeconds(90)), name + " did not give up:\n" + service.logTail());
            assertEquals(1, service.exitValue(), service.logTail());
            String log = service.log();
            assertFalse(log.contains("\tat "), "a stack trace:\n" + log);
            return log;
        }
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> all = new HashMap<>(base);
        all.put(key, value);
        return all;
    }

    @Test
    void aBusyProxyPortIsNamedWithItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            String log = failedStart("busy-proxy", with(postgres.datasource(), "td.proxy.port", Integer.toString(port)));
            assertTrue(log.contains("The proxy port " + port + " (td.proxy.port) is in use on 127.0.0.1 by another process: "
                    + "stop that process, or set td.proxy.port to a free port"), log);
        }
    }

    @Test
    void aBusyAdminPortIsNamedWithItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            String log = failedStart("busy-admin", with(postgres.datasource(), "quarkus.http.port", Integer.toString(port)));
            assertTrue(log.contains("The admin port " + port + " (quarkus.http.port) is in use on 127.0.0.1 by another "
                    + "process: stop that process, or set quarkus.http.port to a free port"), log);
        }
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamed() throws Exception {
        Path file = Files.createTempFile("td-it-not-a-dir", ".txt");
        Path dataDir = file.resolve("data");
        String log = failedStart("bad-data-dir", Map.of("td.data-dir", dataDir.toString()));
        assertTrue(log.contains("Cannot create the data directory " + dataDir + " (td.data-dir)"), log);
    }

    @Test
    void anUnknownDatabaseIsNamedAndNotRetried() throws Exception {
        String url = postgres.jdbcUrl().replace("/postgres", "/no_such_database");
        String log = failedStart("unknown-database", with(postgres.datasource(), "quarkus.datasource.jdbc.url", url));
        assertTrue(log.contains("Cannot use PostgreSQL at " + url), log);
        assertTrue(log.contains("Not retrying: fix the datasource settings."), log);
    }
}
