package io.trafficdistributor.routing;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.EmbeddedPostgresResource;

/** Other replicas learn of every committed API write through NOTIFY, with the version they need to skip a reload. */
@QuarkusTest
class ChangeNotificationTest {

    @Test
    void everyCommittedWriteIsAnnounced() throws Exception {
        try (Connection listener = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "")) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN td_distributor_changed");
            }
            String id = json("""
                    {"name":"notify-me","hostnames":["notify-me.test"],"backends":[{"name":"a","url":"http://127.0.0.1:9"}]}""")
                    .post("/api/v1/distributors").then().statusCode(201).extract().path("id");
            api().contentType("application/merge-patch+json").body("{\"enabled\":false}")
                    .patch("/api/v1/distributors/notify-me").then().statusCode(200);
            // A write that changes nothing writes and announces nothing.
            api().contentType("application/merge-patch+json").body("{\"enabled\":false}")
                    .patch("/api/v1/distributors/notify-me").then().statusCode(200).header("ETag", "\"1\"");
            api().delete("/api/v1/distributors/notify-me").then().statusCode(204);
            // A failed write announces nothing.
            json("{\"name\":\"BAD NAME\"}").post("/api/v1/distributors").then().statusCode(400);

            List<String> payloads = new ArrayList<>();
            PGConnection pg = listener.unwrap(PGConnection.class);
            long deadline = System.currentTimeMillis() + 5000;
            while (payloads.size() < 3 && System.currentTimeMillis() < deadline) {
                PGNotification[] notifications = pg.getNotifications(500);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        if (n.getParameter().startsWith("notify-me")) {
                            payloads.add(n.getParameter());
                        }
                    }
                }
            }
            assertEquals(List.of("notify-me " + id + " 0", "notify-me " + id + " 1", "notify-me"), payloads);
        }
    }
}
