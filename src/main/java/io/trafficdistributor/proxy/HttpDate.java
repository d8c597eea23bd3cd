package io.trafficdistributor.proxy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The current time as an HTTP {@code Date} value, formatted at most once a second. */
final class HttpDate {

    private record Stamp(long second, String text) {
    }

    /** IMF-fixdate (RFC 9110 §5.6.7): two-digit day, English names, always GMT. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private static volatile Stamp current = new Stamp(-1, "");

    private HttpDate() {
    }

    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp stamp = current;
        if (stamp.second() != second) {
            stamp = new Stamp(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            current = stamp;
        }
        return stamp.text();
    }
}
