package io.trafficdistributor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server run from a Maven artifact, so that one command starts the service on a machine
 * with only a JDK. It is started before Quarkus, which then sees it as an ordinary configured datasource.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    static final String DATABASE = "postgres";
    static final String USER = "postgres";

    static {
        PostgresOutput.quiet();
    }

    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);

    private final EmbeddedPostgres server;
    private final Watchdog watchdog;

    private EmbeddedDatabase(EmbeddedPostgres server, Watchdog watchdog) {
        this.server = server;
        this.watchdog = watchdog;
    }

    /**
     * Starts a server whose data is kept in {@code dataDir} across restarts. The library's defaults turn
     * {@code fsync} and {@code synchronous_commit} off, which suits only throw-away test data: here they are
     * on, so a configuration the API acknowledged survives a power cut. A server left running by a killed
     * service is stopped first ({@link DataDirectory}), and a watchdog stops this one if the service dies
     * without stopping it: the server does not outlive its service.
     */
    public static EmbeddedDatabase startDurable(Path dataDir, int port) {
        DataDirectory directory = new DataDirectory(dataDir);
        directory.prepare();
        boolean fresh = !directory.initialised();
        EmbeddedPostgres server;
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(directory.path())
                    .setPort(port)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // Crash recovery after a power cut or a kill replays the WAL first: give it time.
                    .setPGStartupWait(STARTUP_WAIT)
                    // Stopped by TrafficDistributorMain once the service has stopped, not by the library's own
                    // shutdown hook, which would run at the same time as the service's draining.
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure("The embedded PostgreSQL did not start on " + directory.path()
                    + " (td.data-dir): " + rootMessage(e) + ". PostgreSQL's own lines are above; its log is in "
                    + directory.path().resolve("log"));
        }
        LOG.infof("Embedded PostgreSQL started on port %d with its data in %s%s", server.getPort(), directory.path(),
                fresh ? " (a new database cluster)" : "");
        return new EmbeddedDatabase(server, Watchdog.guard(directory));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Starts a throw-away server in a fresh temporary directory (tests). */
    public static EmbeddedDatabase startEphemeral() {
        try {
            return new EmbeddedDatabase(EmbeddedPostgres.builder().start(), Watchdog.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl() {
        return server.getJdbcUrl(USER, DATABASE);
    }

    /** The Quarkus datasource settings that point at this server. */
    public Map<String, String> datasourceProperties() {
        return datasourceProperties(port());
    }

    /**
     * The Quarkus datasource settings that point at a server on {@code port} of this machine, known before it has
     * started: the same URL as the library's {@code getJdbcUrl}.
     */
    public static Map<String, String> datasourceProperties(int port) {
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/" + DATABASE + "?user=" + USER,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", "");
    }

    /**
     * A port free on the loopback interface now, for a server started next (as the library itself picks one when
     * none is given), so that the datasource settings are known before the server is up.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StartupFailure("No free port for the embedded PostgreSQL: " + e.getMessage());
        }
    }

    /** Whether the configuration (a lookup of a property name) names a datasource URL of its own. */
    public static boolean datasourceConfigured(Function<String, String> lookup) {
        String url = lookup.apply("quarkus.datasource.jdbc.url");
        return url != null && !url.isBlank();
    }

    @Override
    public void close() {
        watchdog.close(); // first, so that it cannot act on a PID that is no longer the server's
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
    }
}
