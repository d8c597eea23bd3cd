package io.trafficdistributor.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP check: a GET of the backend's base path + the check's path, with the backend's Host (and SNI), that
 * passes when the whole response arrives in time with one of the expected statuses.
 */
final class HttpCheck implements BackendCheck {

    private final Vertx vertx;
    private final HttpClient client;

    /** @param client without keep-alive: each check on a fresh connection, never one that traffic keeps busy */
    HttpCheck(Vertx vertx, HttpClient client) {
        this.vertx = vertx;
        this.client = client;
    }

    @Override
    public Future<Void> check(ProbeTarget target, ProbeSettings settings) {
        Promise<Void> outcome = Promise.promise();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        long timer = vertx.setTimer(settings.timeoutMillis(), id -> {
            if (outcome.tryFail("timed out after " + settings.timeoutMillis() + " ms") && sent[0] != null) {
                sent[0].reset();
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setServer(target.address())
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.https())
                .setURI(target.basePath() + settings.path())
                .setConnectTimeout(settings.timeoutMillis())
                .putHeader("User-Agent", "traffic-distributor-health-probe");
        ExpectedStatuses expected = settings.expectedStatuses();
        client.request(options)
                .compose(request -> {
                    sent[0] = request;
                    return request.send();
                })
                .compose(response -> response.body().map(body -> response.statusCode()))
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    if (result.failed()) {
                        outcome.tryFail(result.cause());
                    } else if (expected.matches(result.result())) {
                        outcome.tryComplete();
                    } else {
                        outcome.tryFail("status " + result.result() + ", expected " + expected);
                    }
                });
        return outcome.future();
    }
}
