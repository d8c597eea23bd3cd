package io.trafficdistributor.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;

/** Sends requests to the real proxy listener with a chosen {@code Host}, as a client of a distributor would. */
public final class ProxyClient {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ProxyClient() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("td.proxy.port", Integer.class);
    }

    public static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    /** A request builder for {@code host} and {@code path}, with a 30 s timeout. */
    public static HttpRequest.Builder request(String host, String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (host != null) {
            builder.header("Host", host);
        }
        return builder;
    }

    public static HttpResponse<String> get(String host, String path) {
        return send(request(host, path).GET().build());
    }

    public static HttpResponse<String> get(String host, String path, String cookie) {
        HttpRequest.Builder builder = request(host, path).GET();
        if (cookie != null) {
            builder.header("Cookie", cookie);
        }
        return send(builder.build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return CLIENT.send(request, handler);
        } catch (IOException e) {
            throw new IllegalStateException("request to the proxy failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code name=value} part of the response's Set-Cookie for {@code cookieName}, if it sets one. */
    public static Optional<String> cookie(HttpResponse<?> response, String cookieName) {
        return setCookie(response, cookieName).map(header -> header.split(";", 2)[0].trim());
    }

    /** The whole Set-Cookie header for {@code cookieName}, if the response sets one. */
    public static Optional<String> setCookie(HttpResponse<?> response, String cookieName) {
        return response.headers().allValues("set-cookie").stream()
                .filter(h -> h.startsWith(cookieName + "="))
                .findFirst();
    }
}
