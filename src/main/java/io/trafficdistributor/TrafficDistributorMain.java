package io.trafficdistributor;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.trafficdistributor.service.DatabaseUnavailable;

/**
 * Starts the embedded PostgreSQL when no datasource is configured, or waits for the configured one to be
 * reachable, then the service on it.
 */
@QuarkusMain
public class TrafficDistributorMain {

    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

    public static void main(String... args) throws InterruptedException {
        if (ClassArchiveTraining.requested()) {
            ClassArchiveTraining.start(args);
            return;
        }
        if (!EmbeddedDatabase.datasourceConfigured(TrafficDistributorMain::setting)) {
            String dataDir = setting("td.data-dir");
            EmbeddedDatabase database;
            try {
                // The server starts (most of a second, mostly waiting for it) on a thread of its own while this one
                // runs Quarkus's static initialisation, which needs no database: its port is chosen first, so the
                // datasource settings are known before it is up.
                int port = EmbeddedDatabase.freePort();
                EmbeddedDatabase.datasourceProperties(port).forEach(System::setProperty);
                Beside<EmbeddedDatabase> starting = Beside.start("embedded-postgres-start",
                        () -> EmbeddedDatabase.startDurable(Path.of(dataDir == null ? "./data" : dataDir), port));
                Throwable staticInit = initialiseQuarkusStatically();
                database = starting.await();
                if (staticInit != null) {
                    database.close();
                    if (staticInit instanceof Error error) {
                        throw error;
                    }
                    throw staticInit instanceof RuntimeException runtime ? runtime : new IllegalStateException(staticInit);
                }
            } catch (StartupFailure e) {
                earlyLog("ERROR", e.getMessage());
                System.exit(1);
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                awaitServiceStopped(); // the service drains and closes its connections before its database goes
                database.close();
            }, "embedded-postgres-stop"));
        } else if (!awaitDatabase(setting("quarkus.datasource.jdbc.url"), setting("quarkus.datasource.username"),
                setting("quarkus.datasource.password"))) {
            System.exit(1);
        }
        Quarkus.run(args);
    }

    /**
     * Runs Quarkus's static initialisation (configuration, the CDI container, Hibernate's metadata, the validator
     * factory: about two seconds of a restart) now, as {@link Quarkus#run} would first thing, with the same two
     * system properties set before it. Returns its failure, if any, for the caller to throw once the database it
     * started meanwhile is stopped again; nothing when the application class is not there (run from an IDE, where
     * {@link Quarkus#run} takes another way).
     */
    private static Throwable initialiseQuarkusStatically() {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.setProperty("java.util.concurrent.ForkJoinPool.common.threadFactory",
                "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory");
        try {
            Class.forName("io.quarkus.runner.ApplicationImpl", true, Thread.currentThread().getContextClassLoader());
            return null;
        } catch (ClassNotFoundException e) {
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * Waits, retrying with a growing delay, until PostgreSQL accepts a connection, so that a service started
     * before its database (a host's boot, a compose stack, a replica during a database failover) comes up
     * once the database does instead of failing its migration with a stack trace. Returns false, after one
     * clear line, on an error that waiting cannot fix (a wrong password, an unknown database).
     */
    static boolean awaitDatabase(String url, String user, String password) throws InterruptedException {
        Duration delay = Duration.ofSeconds(1);
        for (int attempt = 1;; attempt++) {
            try (Connection connection = DriverManager.getConnection(url, user, password == null ? "" : password)) {
                if (attempt > 1) {
                    earlyLog("INFO", "PostgreSQL at " + url + " is reachable; starting");
                }
                return true;
            } catch (SQLException e) {
                if (!DatabaseUnavailable.causedBy(e)) {
                    earlyLog("ERROR", "Cannot use PostgreSQL at " + url + ": " + e.getMessage() + " (SQL state "
                            + e.getSQLState() + "). Not retrying: fix the datasource settings.");
                    return false;
                }
                earlyLog("WARN", "PostgreSQL at " + url + " is not reachable (" + e.getMessage() + "); attempt " + attempt
                        + ", retrying in " + delay.toSeconds() + " s");
                Thread.sleep(delay.toMillis());
                delay = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
            }
        }
    }

    /**
     * A log line written before Quarkus has set up logging (which holds every message back until then, so a
     * wait for the database would otherwise be silent), in the shape of its default console format.
     */
    private static void earlyLog(String level, String message) {
        String time = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS"));
        System.err.printf("%s %-5s [%s] (main) %s%n", time, level, TrafficDistributorMain.class.getName(), message);
    }

    private static void awaitServiceStopped() {
        Application application = Application.currentApplication();
        if (application == null) {
            return;
        }
        Thread waiter = new Thread(application::awaitShutdown, "await-service-stop");
        waiter.setDaemon(true);
        waiter.start();
        try {
            waiter.join(Duration.ofMinutes(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
