package io.trafficdistributor.routing;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.service.DistributorService;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * The periodic reconcile, the safety net behind NOTIFY, picks up changes no notification announced, and costs
 * what changed: the distributors that did not change are neither read again nor recompiled.
 */
@QuarkusTest
class ReconcileTest {

    static TestBackend blue;
    static TestBackend green;

    @Inject
    ChangeFeed feed;

    @Inject
    Routes routes;

    @Inject
    DistributorService distributors;

    @BeforeAll
    static void startBackends() {
        blue = TestBackend.start("blue");
        green = TestBackend.start("green");
    }

    @AfterAll
    static void stopBackends() {
        blue.close();
        green.close();
    }

    static void create(String name) {
        json("""
                {"name":"%s","hostnames":["%s.test"],"healthCheck":{"enabled":false},
                 "backends":[{"name":"blue","url":"%s","weight":1},{"name":"green","url":"%s","weight":0}]}"""
                .formatted(name, name, blue.url(), green.url()))
                .post("/api/v1/distributors").then().statusCode(201);
    }

    @Test
    void aChangeMadeBehindTheServicesBackIsPickedUpAndTheUnchangedAreNotRecompiled() throws SQLException {
        List<String> unchanged = IntStream.range(0, 20).mapToObj(i -> "reconcile-same-" + i).toList();
        unchanged.forEach(ReconcileTest::create);
        create("reconcile-changed");
        create("reconcile-deleted");
        assertEquals("blue", ProxyClient.get("reconcile-changed.test", "/").body());
        assertEquals(200, ProxyClient.get("reconcile-deleted.test", "/").statusCode());
        Map<String, CompiledDistributor> before = new HashMap<>();
        unchanged.forEach(name -> before.put(name, routes.table().byName(name)));
        CompiledDistributor changedBefore = routes.table().byName("reconcile-changed");

        // Written as a tool or an operator might, straight into the tables, with no NOTIFY: only the reconcile
        // can find these.
        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                Statement statement = connection.createStatement()) {
            sendAllToGreenInTheTables(statement, "reconcile-changed");
            assertEquals(1, statement.executeUpdate("delete from distributor where name = 'reconcile-deleted'"));
        }
        assertFalse(routes.table().matches(distributors.digest()), "the database's digest tells the table is behind");

        feed.reconcile();
        // PostgreSQL's sum over the rows and the table's own agree: the next reconcile reads one row only.
        assertTrue(routes.table().matches(distributors.digest()));

        assertEquals("green", ProxyClient.get("reconcile-changed.test", "/").body());
        assertEquals(404, ProxyClient.get("reconcile-deleted.test", "/").statusCode());
        CompiledDistributor changedAfter = routes.table().byName("reconcile-changed");
        assertNotSame(changedBefore, changedAfter);
        assertEquals(changedBefore.version() + 1, changedAfter.version());
        assertNull(routes.table().byName("reconcile-deleted"));
        // The same compiled objects: not read into new documents, not compiled again, balancers where they were.
        unchanged.forEach(name -> assertSame(before.get(name), routes.table().byName(name), name));

        // A reconcile that finds nothing changes nothing.
        feed.reconcile();
        assertSame(changedAfter, routes.table().byName("reconcile-changed"));
        unchanged.forEach(name -> assertSame(before.get(name), routes.table().byName(name), name));

        api().delete("/api/v1/distributors/reconcile-changed").then().statusCode(204);
        unchanged.forEach(name -> api().delete("/api/v1/distributors/" + name).then().statusCode(204));
    }

    /** Weight 0 for blue, 1 for green, and the version one up, straight in the tables: no API, no NOTIFY. */
    private static void sendAllToGreenInTheTables(Statement statement, String name) throws SQLException {
        assertEquals(2, statement.executeUpdate("""
                update backend set weight = case name when 'blue' then 0 else 1 end
                where distributor_id = (select id from distributor where name = '%s')""".formatted(name)));
        assertEquals(1, statement.executeUpdate("update distributor set version = version + 1 where name = '" + name + "'"));
    }

    @Test
    void aNewerVersionAloneIsFound() throws SQLException {
        create("reconcile-bumped");
        CompiledDistributor before = routes.table().byName("reconcile-bumped");
        assertTrue(routes.table().matches(distributors.digest()));
        // As many distributors as before, one at another version: the count cannot tell, the digest does.
        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                Statement statement = connection.createStatement()) {
            sendAllToGreenInTheTables(statement, "reconcile-bumped");
        }

        feed.reconcile();

        assertEquals(before.version() + 1, routes.table().byName("reconcile-bumped").version());
        assertEquals("green", ProxyClient.get("reconcile-bumped.test", "/").body());
        api().delete("/api/v1/distributors/reconcile-bumped").then().statusCode(204);
    }

    @Test
    void aBatchOfNotificationsOutOfOrderStillLoadsTheNewestVersion() throws SQLException {
        create("reconcile-order");
        CompiledDistributor before = routes.table().byName("reconcile-order");
        try (Connection connection = DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
                Statement statement = connection.createStatement()) {
            assertEquals(2, statement.executeUpdate("""
                    update backend set weight = case name when 'blue' then 0 else 1 end
                    where distributor_id = (select id from distributor where name = 'reconcile-order')"""));
            assertEquals(1, statement.executeUpdate("update distributor set version = 1 where name = 'reconcile-order'"));
        }

        // Two replicas' notifications may arrive out of order: the later line names the version routed already.
        feed.reloadDistributors(List.of("reconcile-order " + before.id() + " 1", "reconcile-order " + before.id() + " 0"));

        assertEquals(1, routes.table().byName("reconcile-order").version());
        assertEquals("green", ProxyClient.get("reconcile-order.test", "/").body());
        api().delete("/api/v1/distributors/reconcile-order").then().statusCode(204);
    }
}
