package io.trafficdistributor.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;

/** The TCP check: passes when a connection to the backend's address opens in time (it is closed at once). */
final class TcpCheck implements BackendCheck {

    private final Vertx vertx;
    private final NetClient client;

    TcpCheck(Vertx vertx, NetClient client) {
        this.vertx = vertx;
        this.client = client;
    }

    @Override
    public Future<Void> check(ProbeTarget target, ProbeSettings settings) {
        Promise<Void> outcome = Promise.promise();
        long timer = vertx.setTimer(settings.timeoutMillis(),
                id -> outcome.tryFail("connect timed out after " + settings.timeoutMillis() + " ms"));
        client.connect(target.address()).onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                result.result().close();
                outcome.tryComplete();
            } else {
                outcome.tryFail(result.cause());
            }
        });
        return outcome.future();
    }
}
