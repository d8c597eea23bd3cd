package io.trafficdistributor.health;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.ScheduledFuture;
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
        Channel channel = connecting.channel();
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (outcome.tryFail("connect timed out after " + timeout + " ms")) {
                channel.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
        connecting.addListener(connected -> {
            timer.cancel(false);
            if (connected.isSuccess()) {
                channel.close();
                outcome.tryComplete();
            } else {
                outcome.tryFail(connected.cause());
            }
        });
        return outcome.future();
    }
}
