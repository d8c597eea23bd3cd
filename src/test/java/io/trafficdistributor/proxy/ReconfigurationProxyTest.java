package io.trafficdistributor.proxy;

import static io.trafficdistributor.proxy.ProxyTestSupport.answers;
import static io.trafficdistributor.proxy.ProxyTestSupport.assertProxyError;
import static io.trafficdistributor.proxy.ProxyTestSupport.backend;
import static io.trafficdistributor.proxy.ProxyTestSupport.count;
import static io.trafficdistributor.proxy.ProxyTestSupport.create;
import static io.trafficdistributor.proxy.ProxyTestSupport.patch;
import static io.trafficdistributor.proxy.ProxyTestSupport.patchBackend;
import static io.trafficdistributor.support.Api.api;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.trafficdistributor.support.EmbeddedPostgresResource;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/** Changes reach the proxy: through this instance's API at once, and from another writer through NOTIFY. */
@QuarkusTest
class ReconfigurationProxyTest {

    static TestBackend a;
    static TestBackend b;

    @BeforeAll
    static void startBackends() {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
    }

    private static void createTwoBackends(String name, String host, int weightA, int weightB) {
        create("""
                {"name":"%s","hostnames":["%s"],"backends":[%s,%s]}"""
                .formatted(name, host, backend(a, weightA), backend(b, weightB)));
    }

    @Test
    void aWeightChangedThroughTheApiTakesEffectOnTheNextRequest() {
        createTwoBackends("re-weight", "reweight.test", 1, 1);
        List<String> before = answers("reweight.test", 10);
        assertEquals(5, count(before, "a"), before.toString());

        patchBackend("re-weight", "a", "{\"weight\":0}");
        List<String> drained = answers("reweight.test", 10);
        assertEquals(10, count(drained, "b"), drained.toString());

        patch("re-weight", "{\"backends\":[" + backend(a, 3) + "," + backend(b, 1) + "]}");
        List<String> threeToOne = answers("reweight.test", 8);
        assertEquals(6, count(threeToOne, "a"), threeToOne.toString());
        assertEquals(2, count(threeToOne, "b"), threeToOne.toString());
    }

    @Test
    void disablingThroughTheApiStopsTrafficOnTheNextRequest() {
        createTwoBackends("re-disable", "redisable.test", 1, 1);
        answers("redisable.test", 2);
        patch("re-disable", "{\"enabled\":false}");
        assertProxyError(ProxyClient.get("redisable.test", "/"), 503, "re-disable", a, b);
        patch("re-disable", "{\"enabled\":true}");
        assertEquals(200, ProxyClient.get("redisable.test", "/").statusCode());
    }

    @Test
    void aDeletedDistributorIs404OnTheNextRequest() {
        createTwoBackends("re-delete", "redelete.test", 1, 1);
        assertEquals(200, ProxyClient.get("redelete.test", "/").statusCode());
        api().delete("/api/v1/distributors/re-delete").then().statusCode(204);
        assertProxyError(ProxyClient.get("redelete.test", "/"), 404, null, a, b);
    }

    @Test
    void aHostnameMovedToAnotherDistributorIsServedByItOnTheNextRequest() {
        create("""
                {"name":"re-move-1","hostnames":["remove1.test","removed.test"],"backends":[%s]}""".formatted(backend(a, 1)));
        assertEquals("a", ProxyClient.get("removed.test", "/").body());
        patch("re-move-1", "{\"hostnames\":[\"remove1.test\"]}");
        assertProxyError(ProxyClient.get("removed.test", "/"), 404, null, a, b);
        create("""
                {"name":"re-move-2","hostnames":["removed.test"],"backends":[%s]}""".formatted(backend(b, 1)));
        assertEquals("b", ProxyClient.get("removed.test", "/").body());
        assertEquals("a", ProxyClient.get("remove1.test", "/").body());
    }

    @Test
    void aWeightWrittenByAnotherConnectionIsPickedUpThroughNotify() throws SQLException {
        createTwoBackends("re-notify", "renotify.test", 1, 1);
        assertEquals(5, count(answers("renotify.test", 10), "a"));

        // What another replica does: change the rows and bump the version in one transaction, then NOTIFY.
        try (Connection connection = otherConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement weight = connection.prepareStatement("""
                    update backend set weight = 0
                    where name = 'a' and distributor_id = (select id from distributor where name = ?)""");
                    PreparedStatement version = connection.prepareStatement(
                            "update distributor set version = version + 1 where name = ?")) {
                weight.setString(1, "re-notify");
                assertEquals(1, weight.executeUpdate());
                version.setString(1, "re-notify");
                assertEquals(1, version.executeUpdate());
            }
            try (Statement notify = connection.createStatement()) {
                notify.execute("NOTIFY td_distributor_changed, 're-notify'");
            }
            connection.commit();
        }

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> count(answers("renotify.test", 4), "b") == 4);
        List<String> after = answers("renotify.test", 10);
        assertEquals(10, count(after, "b"), after.toString());
    }

    @Test
    void aDistributorDisabledByAnotherConnectionIsPickedUpThroughNotify() throws SQLException {
        createTwoBackends("re-notify-off", "renotifyoff.test", 1, 1);
        assertEquals(200, ProxyClient.get("renotifyoff.test", "/").statusCode());

        try (Connection connection = otherConnection(); Statement statement = connection.createStatement()) {
            assertEquals(1, statement.executeUpdate(
                    "update distributor set enabled = false, version = version + 1 where name = 're-notify-off'"));
            statement.execute("NOTIFY td_distributor_changed, 're-notify-off'");
        }

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> ProxyClient.get("renotifyoff.test", "/").statusCode() == 503);
        assertProxyError(ProxyClient.get("renotifyoff.test", "/"), 503, "re-notify-off", a, b);
    }

    @Test
    void aDistributorDeletedByAnotherConnectionIsPickedUpThroughNotify() throws SQLException {
        createTwoBackends("re-notify-del", "renotifydel.test", 1, 1);
        assertEquals(200, ProxyClient.get("renotifydel.test", "/").statusCode());

        try (Connection connection = otherConnection(); Statement statement = connection.createStatement()) {
            assertEquals(1, statement.executeUpdate("delete from distributor where name = 're-notify-del'"));
            statement.execute("NOTIFY td_distributor_changed, 're-notify-del'");
        }

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> ProxyClient.get("renotifydel.test", "/").statusCode() == 404);
    }

    @Test
    void aDistributorDeletedAndCreatedAgainByAnotherWriterIsPickedUpThroughNotify() throws SQLException {
        createTwoBackends("re-recreate", "rerecreate.test", 1, 0);
        assertEquals(4, count(answers("rerecreate.test", 4), "a"));

        // Another replica deletes the distributor and creates a new one of the same name, which starts at the
        // same version as the old one did; here in one transaction, as a listener that is a little behind sees it.
        String columns = """
                routing, enabled, pass_host_header, sticky_cookie_name, sticky_max_age_seconds, sticky_same_site,
                hc_enabled, hc_type, hc_path, hc_expected_statuses, hc_interval_seconds, hc_timeout_millis,
                hc_healthy_threshold, hc_unhealthy_threshold, connect_millis, response_millis, attempt_millis,
                version, created_at, updated_at""";
        try (Connection connection = otherConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("create temporary table recreated on commit drop as select gen_random_uuid() as new_id, "
                        + columns + " from distributor where name = 're-recreate'");
                assertEquals(1, statement.executeUpdate("delete from distributor where name = 're-recreate'"));
                statement.executeUpdate("insert into distributor (id, name, " + columns + ") select new_id, 're-recreate', "
                        + columns + " from recreated");
                statement.executeUpdate("insert into distributor_hostname (distributor_id, position, hostname) "
                        + "select new_id, 0, 'rerecreate.test' from recreated");
                statement.executeUpdate("insert into backend (distributor_id, position, name, url, weight) "
                        + "select new_id, 0, 'b', '" + b.url() + "', 1 from recreated");
                statement.execute("NOTIFY td_distributor_changed, 're-recreate'");
            }
            connection.commit();
        }

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> "b".equals(ProxyClient.get("rerecreate.test", "/").body()));
        List<String> after = answers("rerecreate.test", 10);
        assertEquals(10, count(after, "b"), after.toString());
    }

    private static Connection otherConnection() throws SQLException {
        return DriverManager.getConnection(EmbeddedPostgresResource.database().jdbcUrl(), "postgres", "");
    }
}
