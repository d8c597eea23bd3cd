package io.trafficdistributor.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The messages logged to one category while this is open, formatted as they are printed. */
public final class CapturedLog extends Handler implements AutoCloseable {

    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    public CapturedLog(String category) {
        logger = Logger.getLogger(category);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        Object[] parameters = record.getParameters();
        // A pre-formatted message (the access log's JSON) may hold a '%' of its own: format only what has parameters.
        lines.add(parameters == null || parameters.length == 0 ? record.getMessage()
                : String.format(record.getMessage(), parameters));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
