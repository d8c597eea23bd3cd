package io.trafficdistributor.proxy;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** Reads one cookie's value from a request's {@code Cookie} headers (RFC 6265 §5.4: {@code a=1; b=2}). */
final class Cookies {

    private Cookies() {
    }

    /** The value of the first cookie named {@code name}, without quotes, or null. */
    static String value(HttpHeaders headers, String name) {
        List<String> lines = headers.getAll(HttpHeaderNames.COOKIE);
        for (String line : lines) {
            int length = line.length();
            int start = 0;
            while (start < length) {
                int end = line.indexOf(';', start);
                if (end < 0) {
                    end = length;
                }
                int from = start;
                while (from < end && (line.charAt(from) == ' ' || line.charAt(from) == '\t')) {
                    from++;
                }
                int equals = line.indexOf('=', from);
                if (equals > 0 && equals < end && equals - from == name.length() && line.startsWith(name, from)) {
                    int to = end;
                    while (to > equals + 1 && (line.charAt(to - 1) == ' ' || line.charAt(to - 1) == '\t')) {
                        to--;
                    }
                    String value = line.substring(equals + 1, to);
                    if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                        value = value.substring(1, value.length() - 1);
                    }
                    return value;
                }
                start = end + 1;
            }
        }
        return null;
    }
}
