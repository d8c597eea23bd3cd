package io.trafficdistributor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final EmbeddedPostgres server;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Starts a server whose data is kept in {@code dataDir} across restarts. The library's defaults turn
     * {@code fsync} and {@code synchronous_commit} off, which suits only throw-away test data: here they are
     * on, so a configuration the API acknowledged survives a power cut.
     */
    public static EmbeddedDatabase startDurable(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // Stopped by TrafficDistributorMain once the service has stopped, not by the library's own
                    // shutdown hook, which would run at the same time as the service's draining.
                    .setRegisterShutdownHook(false)
                    .start();
            LOG.infof("Embedded PostgreSQL started on port %d with its data in %s", server.getPort(),
                    dataDir.toAbsolutePath().normalize());
            return new EmbeddedDatabase(server);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    /** Starts a throw-away server in a fresh temporary directory (tests). */
    public static EmbeddedDatabase startEphemeral() {
        try {
            return new EmbeddedDatabase(EmbeddedPostgres.builder().start());
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
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl(),
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", "");
    }

    /** Whether the configuration (a lookup of a property name) names a datasource URL of its own. */
    public static boolean datasourceConfigured(Function<String, String> lookup) {
        String url = lookup.apply("quarkus.datasource.jdbc.url");
        return url != null && !url.isBlank();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
    }
}
