package io.trafficdistributor.routing;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * A burst of 10,000 changes written by another replica (here: this test, on its own connection, writing the rows
 * and announcing them as a replica's {@link ChangeNotifier} does, many to a NOTIFY) reaches this one within
 * seconds: created, changed, then deleted.
 */
@QuarkusTest
class NotifyBurstTest {

    static final int BURST = 10_000;
    /** What "within seconds" means here: each phase of 10,000 changes, from the commit to all of them routed. */
    static final Duration WITHIN = Duration.ofSeconds(10);
    /** The distributor columns a copy takes from the template, all but id and name. */
    static final String COLUMNS = """
            routing, enabled, pass_host_header, sticky_cookie_name, sticky_max_age_seconds, sticky_same_site,
            hc_enabled, hc_type, hc_path, hc_expected_statuses, hc_interval_seconds, hc_timeout_millis,
            hc_healthy_threshold, hc_unhealthy_threshold, connect_millis, response_millis, attempt_millis,
            version, created_at, updated_at, tls_acme, tls_redirect_http, tls_hsts_max_age_seconds, slow_start_seconds""";

    static TestBackend backend;

    @Inject
    Routes routes;

    @BeforeAll
    static void startBackend() {
        backend = TestBackend.start("burst");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Test
    void tenThousandChangesOnAnotherReplicaReachThisOneWithinSeconds() throws SQLException {
        json("""
                {"name":"burst-template","hostnames":["burst-template.test"],"healthCheck":{"enabled":false},
                 "backends":[{"name":"only","url":"%s"}]}""".formatted(backend.url()))
                .post("/api/v1/distributors").then().statusCode(201);
        try (Connection replica = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "")) {
            replica.setAutoCommit(false);
            try (Statement statement = replica.createStatement()) {
                assertEquals(BURST, statement.executeUpdate("""
                        insert into distributor (id, name, %s)
                        select gen_random_uuid(), 'burst-' || i, %s
                        from distributor, generate_series(0, %d) i where name = 'burst-template'"""
                        .formatted(COLUMNS, COLUMNS, BURST - 1)));
                statement.executeUpdate("""
                        insert into distributor_hostname (distributor_id, position, hostname)
                        select id, 0, name || '.test' from distributor where name ~ '^burst-[0-9]+$'""");
                statement.executeUpdate("""
                        insert into backend (distributor_id, position, name, url, weight)
                        select d.id, 0, b.name, b.url, b.weight from distributor d, backend b
                        where d.name ~ '^burst-[0-9]+$'
                        and b.distributor_id = (select id from distributor where name = 'burst-template')""");
            }
            long created = announce(replica, "select name || ' ' || id || ' ' || version");
            awaitAll("created", created, d -> d != null && d.enabled());
            assertEquals("burst", ProxyClient.get("burst-" + (BURST - 1) + ".test", "/").body());

            try (Statement statement = replica.createStatement()) {
                assertEquals(BURST, statement.executeUpdate(
                        "update distributor set enabled = false, version = version + 1 where name ~ '^burst-[0-9]+$'"));
            }
            long changed = announce(replica, "select name || ' ' || id || ' ' || version");
            awaitAll("disabled", changed, d -> d != null && !d.enabled() && d.version() == 1);
            assertEquals(503, ProxyClient.get("burst-" + (BURST - 1) + ".test", "/").statusCode());

            // A delete is announced by the name alone; the lines are read before the rows go.
            List<String> names = lines(replica, "select name");
            try (Statement statement = replica.createStatement()) {
                assertEquals(BURST, statement.executeUpdate("delete from distributor where name ~ '^burst-[0-9]+$'"));
            }
            long deleted = notify(replica, names);
            awaitAll("deleted", deleted, d -> d == null);
            assertEquals(404, ProxyClient.get("burst-" + (BURST - 1) + ".test", "/").statusCode());
        } finally {
            try (Connection cleanup = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                    Statement statement = cleanup.createStatement()) {
                statement.executeUpdate("delete from distributor where name ~ '^burst-[0-9]+$'");
            }
            api().delete("/api/v1/distributors/burst-template");
        }
    }

    /** Commits, then announces every burst distributor by the line {@code select} makes of it; the commit's time. */
    private static long announce(Connection replica, String select) throws SQLException {
        List<String> lines = lines(replica, select);
        return notify(replica, lines);
    }

    private static List<String> lines(Connection replica, String select) throws SQLException {
        List<String> lines = new ArrayList<>(BURST);
        try (Statement statement = replica.createStatement();
                ResultSet row = statement.executeQuery(select + " from distributor where name ~ '^burst-[0-9]+$' order by name")) {
            while (row.next()) {
                lines.add(row.getString(1));
            }
        }
        assertEquals(BURST, lines.size());
        return lines;
    }

    /** Commits the replica's transaction and sends the lines as its notifier would; returns the commit's time. */
    private static long notify(Connection replica, List<String> lines) throws SQLException {
        replica.commit();
        long committedAt = System.nanoTime();
        List<String> payloads = NotifyPayloads.pack(lines, NotifyPayloads.MAX_BYTES);
        assertTrue(payloads.size() < BURST / 50, payloads.size() + " notifications for " + BURST + " changes");
        replica.setAutoCommit(true);
        try (PreparedStatement notify = replica.prepareStatement("select pg_notify('td_distributor_changed', ?)")) {
            for (String payload : payloads) {
                notify.setString(1, payload);
                notify.execute();
            }
        }
        replica.setAutoCommit(false);
        return committedAt;
    }

    /** Waits until every burst distributor is as {@code routed} says in this replica's table, at most {@link #WITHIN}. */
    private void awaitAll(String what, long since, Predicate<CompiledDistributor> routed) {
        await().atMost(WITHIN.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            RoutingTable table = routes.table();
            for (int i = 0; i < BURST; i++) {
                if (!routed.test(table.byName("burst-" + i))) {
                    return false;
                }
            }
            return true;
        });
        Duration took = Duration.ofNanos(System.nanoTime() - since);
        assertTrue(took.compareTo(WITHIN) <= 0, BURST + " distributors " + what + " in " + took.toMillis() + " ms");
    }
}
