package io.trafficdistributor.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.Channel;

/** The proxy listeners' open client connections (plain and HTTPS), over all event loops, so that a shutdown can drain them. */
final class ClientConnections {

    /** One client connection as a shutdown sees it: an HTTP/1.1 connection, or an HTTP/2 one with its streams. */
    interface Connection {
        Channel channel();

        /** Stops taking requests and closes once those in progress are answered. Any thread. */
        void drain();

        /** Closes at once, mid-request or not. */
        default void closeNow() {
            channel().close();
        }
    }

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final java.util.List<Channel> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean draining;

    void listener(Channel socket) {
        listeners.add(socket);
    }

    void add(Connection connection) {
        open.add(connection);
        connection.channel().closeFuture().addListener(closed -> open.remove(connection));
    }

    boolean draining() {
        return draining;
    }

    int size() {
        return open.size();
    }

    /**
     * Closes the listening socket, so new connections are refused (a load balancer in front moves on at once)
     * while accepted ones stay open, and asks each open connection to close as soon as it is idle.
     */
    void drain() {
        draining = true;
        listeners.forEach(Channel::close);
        open.forEach(Connection::drain);
    }

    /** Closes every connection still open, mid-request or not (the grace period is over). */
    void closeAll() {
        open.forEach(Connection::closeNow);
    }
}
