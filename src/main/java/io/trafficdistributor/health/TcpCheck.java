package io.trafficdistributor.health;

import io.netty.channel.ChannelFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/** The TCP check: passes when a connection to the backend's address opens in time (it is closed at once). */
final class TcpCheck implements BackendCheck {

    private final ProbeTransport transport;

    TcpCheck(ProbeTransport transport) {
        this.transport = transport;
    }

    @Override
    public Future<Void> check(ProbeTarget target, ProbeSettings settings) {
        Promise<Void> outcome = Promise.promise();
        int timeout = settings.timeoutMillis();
        ChannelFuture connecting = transport.connect(target, timeout, false);
        connecting.addListener(connected -> {
            if (connected.isSuccess()) {
                connecting.channel().close();
                outcome.tryComplete();
            }
        });
        return ProbeTransport.bounded(connecting, outcome, timeout, "connect timed out");
    }
}
