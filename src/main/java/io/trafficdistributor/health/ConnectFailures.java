package io.trafficdistributor.health;

import java.net.UnknownHostException;

/** Says what failed when a probe or the proxy could not connect to a backend, in the words the status view shows. */
public final class ConnectFailures {

    private ConnectFailures() {
    }

    /**
     * {@code cannot resolve <host>} when the backend's host name did not resolve (the resolvers' own messages are the
     * bare name, or a query count), else null.
     */
    public static String unresolved(Throwable failure, String host) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "cannot resolve " + host;
            }
        }
        return null;
    }

    /**
     * A connect failure in words an operator reads in {@code lastError} and the log: {@code cannot resolve <host>},
     * {@code connect timed out}, {@code connection refused or unreachable}, else the failure's own message without
     * the transport's prefix ({@code finishConnect(..) failed: }).
     */
    public static String describe(Throwable failure, String host) {
        String unresolved = unresolved(failure, host);
        if (unresolved != null) {
            return unresolved;
        }
        if (failure instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        if (failure instanceof java.net.ConnectException) {
            return "connection refused or unreachable";
        }
        String message = failure.getMessage();
        if (message == null) {
            return failure.getClass().getSimpleName();
        }
        return message.startsWith("finishConnect(..) failed: ") ? message.substring("finishConnect(..) failed: ".length()) : message;
    }
}
