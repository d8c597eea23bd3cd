package io.trafficdistributor;

import java.nio.file.Path;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the embedded PostgreSQL when no datasource is configured, then the service on it.
 */
@QuarkusMain
public class TrafficDistributorMain {

    public static void main(String... args) {
        if (!EmbeddedDatabase.datasourceConfigured(TrafficDistributorMain::setting)) {
            String dataDir = setting("td.data-dir");
            EmbeddedDatabase database = EmbeddedDatabase.startDurable(Path.of(dataDir == null ? "./data" : dataDir));
            database.datasourceProperties().forEach(System::setProperty);
            Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
        }
        Quarkus.run(args);
    }

    /** A setting from a system property or its environment-variable form, as MicroProfile Config maps them. */
    private static String setting(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
        }
        return value;
    }
}
