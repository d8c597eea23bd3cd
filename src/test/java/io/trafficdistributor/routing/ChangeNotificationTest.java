package io.trafficdistributor.routing;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.EmbeddedPostgresResource;

/**
 * Other replicas learn of every committed API write through NOTIFY, with the version they need to skip a reload;
 * a burst of changes goes out many to a notification.
 */
@QuarkusTest
class ChangeNotificationTest {

    @Inject
    ChangeNotifier notifier;

    @Test
    void everyCommittedWriteIsAnnounced() throws Exception {
        try (Connection listener = listener("td_distributor_changed")) {
            String id = json("""
                    {"name":"notify-me","hostnames":["notify-me.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}""")
                    .post("/api/v1/distributors").then().statusCode(201).extract().path("id");
            assertEquals(List.of("notify-me " + id + " 0"), linesAbout(listener, "notify-me", 1));
            api().contentType("application/merge-patch+json").body("{\"enabled\":false}")
                    .patch("/api/v1/distributors/notify-me").then().statusCode(200);
            assertEquals(List.of("notify-me " + id + " 1"), linesAbout(listener, "notify-me", 1));
            // A write that changes nothing writes and announces nothing.
            api().contentType("application/merge-patch+json").body("{\"enabled\":false}")
                    .patch("/api/v1/distributors/notify-me").then().statusCode(200).header("ETag", "\"1\"");
            api().delete("/api/v1/distributors/notify-me").then().statusCode(204);
            // A failed write announces nothing.
            json("{\"name\":\"BAD NAME\"}").post("/api/v1/distributors").then().statusCode(400);

            assertEquals(List.of("notify-me"), linesAbout(listener, "notify-me", 1));
            assertEquals(List.of(), linesAbout(listener, "notify-me", 0));
        }
    }

    @Test
    void aBurstOfChangesGoesOutInFewNotificationsEachBelowPostgresLimit() throws Exception {
        try (Connection listener = listener("td_test_burst")) {
            List<String> lines = IntStream.range(0, 5000).mapToObj(i -> "burst-" + i + " " + UUID.randomUUID() + " 0").toList();
            lines.forEach(line -> notifier.notifyOthers("td_test_burst", line));

            List<String> payloads = payloads(listener, lines.size());
            List<String> received = payloads.stream().flatMap(p -> NotifyPayloads.lines(p).stream()).toList();
            assertEquals(lines, received);
            // Queued far faster than one NOTIFY's round trip, they wait together (packed full they would take 32).
            assertTrue(payloads.size() < lines.size() / 10, payloads.size() + " notifications for " + lines.size() + " changes");
            payloads.forEach(p -> assertTrue(p.getBytes(StandardCharsets.UTF_8).length < 8000, p.length() + " bytes"));
        }
    }

    private static Connection listener(String channel) throws SQLException {
        Connection listener = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
        try (Statement statement = listener.createStatement()) {
            statement.execute("LISTEN " + channel);
        }
        return listener;
    }

    /** The lines about {@code name} announced next: waits for {@code expected} of them, then 300 ms for any more. */
    private static List<String> linesAbout(Connection listener, String name, int expected) throws SQLException {
        List<String> lines = new ArrayList<>();
        PGConnection pg = listener.unwrap(PGConnection.class);
        long deadline = System.currentTimeMillis() + 5000;
        long quietUntil = Long.MAX_VALUE;
        while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
            PGNotification[] notifications = pg.getNotifications(100);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    NotifyPayloads.lines(n.getParameter()).stream()
                            .filter(line -> NotifyPayloads.subject(line).equals(name)).forEach(lines::add);
                }
            }
            if (lines.size() >= expected && quietUntil == Long.MAX_VALUE) {
                quietUntil = System.currentTimeMillis() + 300;
            }
        }
        return lines;
    }

    /** The payloads received until they hold {@code lines} lines in all, or 10 s have passed. */
    private static List<String> payloads(Connection listener, int lines) throws SQLException {
        List<String> payloads = new ArrayList<>();
        PGConnection pg = listener.unwrap(PGConnection.class);
        long deadline = System.currentTimeMillis() + 10_000;
        int received = 0;
        while (received < lines && System.currentTimeMillis() < deadline) {
            PGNotification[] notifications = pg.getNotifications(500);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    payloads.add(n.getParameter());
                    received += NotifyPayloads.lines(n.getParameter()).size();
                }
            }
        }
        return payloads;
    }
}
