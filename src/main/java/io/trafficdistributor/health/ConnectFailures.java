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
}
