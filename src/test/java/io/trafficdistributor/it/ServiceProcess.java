package io.trafficdistributor.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.trafficdistributor.support.TestBackend;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar} with its class-data archive, as the README
 * runs it) in a process of its own, on free ports, with its log in a file: what a test needs to send it SIGTERM,
 * cut its database, or run two of them side by side.
 */
final class ServiceProcess implements AutoCloseable {

    static final String TOKEN = "it-admin-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    final int adminPort = TestBackend.freePort();
    final int proxyPort = TestBackend.freePort();
    final int httpsPort = TestBackend.freePort();
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, Map<String, String> settings) throws IOException {
        this.name = name;
        this.log = Files.createTempFile("td-it-" + name + "-", ".log");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.host", "127.0.0.1");
        all.put("quarkus.http.port", Integer.toString(adminPort));
        all.put("td.proxy.host", "127.0.0.1");
        all.put("td.proxy.port", Integer.toString(proxyPort));
        all.put("td.proxy.https-port", Integer.toString(httpsPort)); // replicas on one machine: not 8443 each
        all.put("td.admin.token", TOKEN);
        all.putAll(settings);
        // As the README runs it: from its directory, with the startup archive the package phase built (JDK 17's
        // class-data archive; -Xshare:on makes a missing or unusable one an error instead of a silently slower start).
        // Packaged by JDK 25, it is the ahead-of-time cache, recorded with G1: used as far as this JVM's options allow.
        // Packaged by another JDK than this one (archive-jvm names it), neither fits: the service starts without.
        Path jar = jar();
        Path dir = jar.toAbsolutePath().getParent();
        Path recordedBy = dir.resolve("archive-jvm");
        boolean otherJdk = Files.exists(recordedBy)
                && !Files.readString(recordedBy).strip().equals(System.getProperty("java.home"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        if (!otherJdk) {
            command.addAll(Files.exists(dir.resolve("app.aot")) ? List.of("-XX:AOTCache=app.aot")
                    : List.of("-XX:SharedArchiveFile=app-cds.jsa", "-Xshare:on"));
        }
        all.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.getFileName().toString()));
        this.process = new ProcessBuilder(command).directory(jar.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Starts the service with these settings (on top of free ports and the test token), without waiting. */
    static ServiceProcess launch(String name, Map<String, String> settings) throws IOException {
        return new ServiceProcess(name, settings);
    }

    /** Starts the service and waits until it is ready. */
    static ServiceProcess start(String name, Map<String, String> settings) throws Exception {
        ServiceProcess service = launch(name, settings);
        service.awaitReady(Duration.ofSeconds(60));
        return service;
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("td.it.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.exists(jar), "no packaged service at " + jar + ": run ./mvnw verify (the package phase builds it)");
        return jar;
    }

    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            try {
                if (admin("GET", "/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail(name + " was not ready within " + timeout + ":\n" + logTail());
    }

    /** A request to the admin port (the API's paths are under /api/v1). */
    HttpResponse<String> admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates a distributor through the API, failing the test unless it answers 201. */
    void create(String distributorJson) throws IOException, InterruptedException {
        HttpResponse<String> created = admin("POST", "/api/v1/distributors", distributorJson);
        org.junit.jupiter.api.Assertions.assertEquals(201, created.statusCode(), created.body());
    }

    /** A GET through this service's proxy listener. */
    HttpResponse<String> proxy(String host, String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).header("Host", host);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, as an orchestrator stops a container. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL, as an OOM killer or a power cut ends it: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
    }

    /** The service's own child processes (the embedded PostgreSQL's watchdog among them). */
    java.util.stream.Stream<ProcessHandle> children() {
        return process.children();
    }

    int exitValue() {
        return process.exitValue();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
