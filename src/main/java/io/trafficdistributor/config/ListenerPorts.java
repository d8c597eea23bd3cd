package io.trafficdistributor.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Before the routing table loads and the listeners open, checks that the admin, proxy and HTTPS proxy ports can be opened,
 * so that a port in use stops the start with one line naming the port and the setting that moves it, instead
 * of a stack trace. The proxy listener's own bind reports the same way (a port taken in between).
 */
@ApplicationScoped
public class ListenerPorts {

    /** Before the routing table loads ({@code ChangeFeed.LOAD_PRIORITY}). */
    static final int PRIORITY = 0;

    @ConfigProperty(name = "quarkus.http.host")
    String adminHost;

    @ConfigProperty(name = "quarkus.http.port")
    int adminPort;

    void check(@Observes @Priority(PRIORITY) StartupEvent event, TdConfig config) {
        if (LaunchMode.current() == LaunchMode.NORMAL) { // tests run the admin listener on quarkus.http.test-port
            requireFree("admin", adminHost, adminPort, "quarkus.http.port");
        }
        requireFree("proxy", config.proxy().host(), config.proxy().port(), "td.proxy.port");
        requireFree("HTTPS proxy", config.proxy().host(), config.proxy().httpsPort(), "td.proxy.https-port");
    }

    static void requireFree(String listener, String host, int port, String setting) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the listeners do: a port whose old connections linger is free
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw cannotListen(listener, host, port, setting, e);
        }
    }

    /** The one line that stops the start: what could not listen where, why, and the setting to change. */
    public static ConfigurationException cannotListen(String listener, String host, int port, String setting,
            Throwable cause) {
        String reason = String.valueOf(cause.getMessage());
        String message = reason.contains("in use")
                ? "The %s port %d (%s) is in use on %s by another process: stop that process, or set %s to a free port"
                        .formatted(listener, port, setting, host, setting)
                : "The %s listener cannot open %s:%d (%s, %s): %s".formatted(listener, host, port, setting,
                        setting.replace(".port", ".host"), reason);
        // Quarkus prints a ConfigurationException as its message alone, and exits with status 1.
        return new ConfigurationException(message);
    }
}
