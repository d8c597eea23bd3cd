package io.trafficdistributor.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trafficdistributor.EmbeddedDatabase;

/** One real, throw-away PostgreSQL server for the whole test JVM. */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedDatabase database;

    @Override
    public synchronized Map<String, String> start() {
        if (database == null) {
            database = EmbeddedDatabase.startEphemeral();
            Runtime.getRuntime().addShutdownHook(new Thread(database::close, "test-postgres-stop"));
        }
        return database.datasourceProperties();
    }

    /** The running server, for tests that talk to PostgreSQL directly (NOTIFY, outages). */
    public static EmbeddedDatabase database() {
        return database;
    }

    @Override
    public void stop() {
        // Kept for the next test class that restarts Quarkus; the shutdown hook stops it with the JVM.
    }
}
