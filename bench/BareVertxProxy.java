import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The ceiling in the throughput benchmark for anything built on Vert.x core's HTTP server and client: the least
 * a reverse proxy on them can do (alternate two backends, copy the heads, pipe the bodies, 502 on failure), with
 * none of the service's work (no routing table, health, retries, timeouts, hop-by-hop filtering, X-Forwarded-*,
 * metrics, connection tracking). Measured in the same run as the service, it tells how much of the distance to
 * NGINX is Vert.x's own. Not a product: it forwards hop-by-hop headers and has no timeouts.
 * Usage: java -cp 'target/quarkus-app/lib/main/*' bench/BareVertxProxy.java PORT BACKEND_A_PORT BACKEND_B_PORT EVENT_LOOPS
 */
public class BareVertxProxy extends AbstractVerticle {
    private static int port, backendA, backendB;
    private HttpClient client;
    private long requests;

    public static void main(String[] args) {
        port = Integer.parseInt(args[0]);
        backendA = Integer.parseInt(args[1]);
        backendB = Integer.parseInt(args[2]);
        int loops = Integer.parseInt(args[3]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        vertx.deployVerticle(BareVertxProxy::new, new DeploymentOptions().setInstances(loops));
    }

    @Override
    public void start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(64));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(request -> {
                    request.pause();
                    RequestOptions options = new RequestOptions().setHost("127.0.0.1")
                            .setPort((requests++ & 1) == 0 ? backendA : backendB)
                            .setMethod(request.method()).setURI(request.uri()).setHeaders(request.headers());
                    client.request(options).onComplete(connected -> {
                        if (connected.failed()) {
                            request.response().setStatusCode(502).end();
                            return;
                        }
                        connected.result().response().onComplete(answered -> {
                            if (answered.failed()) {
                                request.response().setStatusCode(502).end();
                                return;
                            }
                            HttpServerResponse response = request.response().setStatusCode(answered.result().statusCode());
                            response.headers().addAll(answered.result().headers());
                            answered.result().pipeTo(response);
                        });
                        request.pipeTo(connected.result());
                    });
                })
                .listen();
    }
}
