package io.trafficdistributor.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trafficdistributor.support.TestCertificates.Issued;
import io.trafficdistributor.support.TestCertificates.KeyType;

/**
 * A real ACME server for the test: Debian's {@code pebble}, with {@code pebble-challtestsrv} as its DNS server
 * answering 127.0.0.1 for every name, so pebble validates HTTP-01 challenges against the proxy's plain port (its
 * {@code httpPort} is that port, chosen before Quarkus starts). Its HTTPS certificate is issued by a test root that
 * the service trusts through {@code td.acme.trust-certificates}. Certificates live {@link #VALIDITY_SECONDS}, so
 * renewal (at two thirds) happens within a test; names under {@link #BLOCKED_DOMAIN} are refused by pebble, for a
 * failing order. Started once per test JVM, stopped with it.
 */
public class PebbleResource implements QuarkusTestResourceLifecycleManager {

    public static final int VALIDITY_SECONDS = 24;
    public static final String BLOCKED_DOMAIN = "blocked.acme.test";

    private static final List<Process> PROCESSES = new ArrayList<>();
    private static Issued root;
    private static int acmePort;
    private static int managementPort;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (PROCESSES.isEmpty()) {
                launch();
            }
            return Map.of(
                    "td.acme.directory", "https://localhost:" + acmePort + "/dir",
                    "td.acme.trust-certificates", dir().resolve("root.pem").toString(),
                    "td.acme.email", "ops@example.test",
                    "td.acme.check-interval", "1s",
                    "td.acme.retry-initial", "1s",
                    "td.acme.retry-max", "4s",
                    "td.acme.order-timeout", "30s");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not start pebble: " + e, e);
        }
    }

    @Override
    public void stop() {
        // Kept for the next test class that restarts Quarkus with this profile; stopped with the JVM.
    }

    private static Path dir() throws IOException {
        Path dir = Path.of("target", "pebble").toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    private static String binary(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed; the ACME tests need a real ACME server: "
                + "apt-get install pebble (Debian's package has pebble and pebble-challtestsrv)");
    }

    private static void launch() throws IOException, InterruptedException {
        String pebble = binary("pebble");
        String challtestsrv = binary("pebble-challtestsrv");
        Path dir = dir();
        root = TestCertificates.root("Pebble Test Listener Root");
        Issued listener = TestCertificates.leaf(root, KeyType.EC, "localhost");
        Files.writeString(dir.resolve("root.pem"), root.certificatePem());
        Files.writeString(dir.resolve("cert.pem"), listener.chainPem());
        Files.writeString(dir.resolve("key.pem"), listener.keyPem());
        acmePort = TestBackend.freePort();
        managementPort = TestBackend.freePort();
        int dnsPort = TestBackend.freePort();
        int challengeManagementPort = TestBackend.freePort();
        Files.writeString(dir.resolve("pebble-config.json"), """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false,
                  "domainBlocklist": ["%s"],
                  "certificateValidityPeriod": %d
                }}""".formatted(acmePort, managementPort, dir.resolve("cert.pem"), dir.resolve("key.pem"),
                ProxyPortResource.plainPort(), TestBackend.freePort(), BLOCKED_DOMAIN, VALIDITY_SECONDS));
        Runtime.getRuntime().addShutdownHook(new Thread(PebbleResource::kill, "pebble-stop"));
        ProcessBuilder dns = new ProcessBuilder(challtestsrv, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + challengeManagementPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile());
        PROCESSES.add(dns.start());
        awaitPort(challengeManagementPort, "pebble-challtestsrv");
        ProcessBuilder server = new ProcessBuilder(pebble, "-config", dir.resolve("pebble-config.json").toString(),
                "-dnsserver", "127.0.0.1:" + dnsPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        server.environment().put("PEBBLE_VA_NOSLEEP", "1");
        server.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        server.environment().put("PEBBLE_AUTHZREUSE", "0");
        PROCESSES.add(server.start());
        awaitPort(acmePort, "pebble");
        awaitPort(managementPort, "pebble (management)");
    }

    private static void awaitPort(int port, String what) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            for (Process process : PROCESSES) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(what + " exited at start (" + process.exitValue() + "); see "
                            + dir().resolve(what.startsWith("pebble-") ? "challtestsrv.log" : "pebble.log"));
                }
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + " within 20 s");
    }

    private static synchronized void kill() {
        for (Process process : PROCESSES) {
            process.destroy();
        }
        for (Process process : PROCESSES) {
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    /** The root pebble issues certificates under (PEM), from its management endpoint. */
    public static String issuingRootPem() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + managementPort + "/roots/0")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("pebble's /roots/0 answered " + response.statusCode());
        }
        return response.body();
    }
}
