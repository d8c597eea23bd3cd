package io.trafficdistributor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/**
 * The training run behind the class-data archive ({@code app-cds.jsa}) that {@code ./mvnw package} builds on JDK 17
 * (Quarkus's {@code quarkus.package.jar.appcds.enabled}): the JVM records every class this run loads and maps
 * them ready-made at the next start with {@code -XX:SharedArchiveFile=app-cds.jsa}, which takes a third off
 * the time from launch to serving traffic. Packaged by JDK 25 or later (the {@code aot-cache} profile of the POM),
 * the same run records the ahead-of-time cache {@code app.aot} instead ({@code -XX:AOTCache=app.aot}): classes loaded
 * and linked, and the profiles of the methods this run made hot.
 * <p>
 * Either fits only the JDK build that recorded it, so the run writes that JDK's home to {@value #RECORDED_BY} beside
 * the package: {@code bin/start} and the benchmarks run the service on it.
 * <p>
 * Quarkus's own training stops after static initialisation, before Hibernate, Flyway, the routing table and
 * the listeners have loaded their classes. This one runs the whole startup instead, on a throw-away embedded
 * PostgreSQL and free loopback ports, then creates, uses, changes, reads and deletes one distributor through the
 * API and the proxy (the classes of the first requests after a restart), and exits.
 */
public final class ClassArchiveTraining implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(ClassArchiveTraining.class);
    private static final String GENERATE = "quarkus.appcds.generate";
    /** The file beside {@code quarkus-run.jar} that names the JDK (its {@code java.home}) that recorded the archive. */
    static final String RECORDED_BY = "archive-jvm";

    /** Whether this JVM was launched by the build to record the archive. */
    static boolean requested() {
        return Boolean.getBoolean(GENERATE);
    }

    static void start(String... args) {
        EmbeddedDatabase database = EmbeddedDatabase.startEphemeral();
        database.datasourceProperties().forEach(System::setProperty);
        System.setProperty("quarkus.http.host", "127.0.0.1");
        System.setProperty("quarkus.http.port", Integer.toString(EmbeddedDatabase.freePort()));
        System.setProperty("td.proxy.host", "127.0.0.1");
        System.setProperty("td.proxy.port", Integer.toString(EmbeddedDatabase.freePort()));
        System.setProperty("td.proxy.https-port", Integer.toString(EmbeddedDatabase.freePort()));
        System.setProperty("td.admin.token", UUID.randomUUID().toString());
        System.clearProperty(GENERATE); // else Quarkus stops after static initialisation
        recordJvm(Path.of(""));
        Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
        Quarkus.run(ClassArchiveTraining.class, args);
    }

    /**
     * Writes this JVM's home to {@value #RECORDED_BY} in {@code packageDir} when that is the package's directory (the
     * build runs the training from there); a failure to write costs only the choice of JDK, so it is logged, not fatal.
     */
    static void recordJvm(Path packageDir) {
        if (!Files.exists(packageDir.resolve("quarkus-run.jar"))) {
            return;
        }
        try {
            Files.writeString(packageDir.resolve(RECORDED_BY), System.getProperty("java.home") + "\n");
        } catch (IOException e) {
            LOG.warnf("Could not record which JDK recorded the class archive (%s)", e.toString());
        }
    }

    @Override
    public int run(String... args) {
        int admin = Integer.getInteger("quarkus.http.port");
        String body = """
                {"name":"training","hostnames":["training.invalid"],"routing":"ROUND_ROBIN",
                 "backends":[{"name":"self","url":"http://127.0.0.1:%d"}]}""".formatted(admin);
        try {
            expect("201", api(admin, "POST", "/api/v1/distributors", "application/json", body));
            expect("200", exchange(Integer.getInteger("td.proxy.port"),
                    "GET /q/health/live HTTP/1.1\r\nHost: training.invalid\r\nConnection: close\r\n\r\n"));
            expect("200", api(admin, "PATCH", "/api/v1/distributors/training/backends/self", "application/merge-patch+json",
                    "{\"weight\":2}"));
            expect("200", api(admin, "GET", "/api/v1/distributors/training/status", null, null));
            expect("204", api(admin, "DELETE", "/api/v1/distributors/training", null, null));
        } catch (IOException | RuntimeException e) {
            // The archive is still written, with the startup's classes; it only misses those of the first requests.
            LOG.warnf("Class-archive training requests failed (%s)", e.toString());
        }
        return 0;
    }

    private static String api(int port, String method, String path, String contentType, String body) throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Authorization: Bearer " + System.getProperty("td.admin.token") + "\r\n";
        if (body != null) {
            head += "Content-Type: " + contentType + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n";
        }
        return exchange(port, head + "\r\n" + (body == null ? "" : body));
    }

    private static void expect(String status, String response) {
        if (!response.startsWith("HTTP/1.1 " + status)) {
            throw new IllegalStateException("expected " + status + ", got: " + response.lines().findFirst().orElse(""));
        }
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
