package io.trafficdistributor.service;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trafficdistributor.support.ProxyClient;
import io.trafficdistributor.support.TestBackend;

/**
 * API creations written in groups ({@link CreationWriter}), on the real API and the real PostgreSQL. To make
 * creations land in one group, the test holds hostnames in a transaction of its own that each writer's current
 * creation waits for (a unique index waits for the transaction that inserted the same key), queues the creations
 * behind them, and lets go: what waited is then written as one group, by the first writer free. That they shared one transaction is read from
 * PostgreSQL ({@code xmin}, the id of the transaction that wrote each row).
 */
@QuarkusTest
class CreationGroupsTest {

    private static final String BASE = "/api/v1/distributors";

    static TestBackend server;

    @Inject
    CreationWriter writer;

    @Inject
    DistributorService distributors;

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final List<Connection> held = new ArrayList<>();

    @BeforeAll
    static void startBackend() {
        server = TestBackend.start("grouped");
    }

    @AfterAll
    static void stopBackend() {
        server.close();
    }

    @AfterEach
    void releaseAndStop() throws SQLException {
        for (Connection connection : held) {
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        }
        clients.shutdownNow();
    }

    @Test
    void creationsThatArriveTogetherAreOneTransactionAndConflictAsIfOneAfterTheOther() throws Exception {
        Held gate = holdGates();
        List<Future<Response>> first = postBehind(gate);

        String twice = uniqueName("twice");
        String sharedHost = "shared-" + hostOf(uniqueName("shared"));
        String sharerA = uniqueName("sharer");
        String sharerB = uniqueName("sharer");
        String plainA = uniqueName("plain");
        String plainB = uniqueName("plain");
        List<Future<Response>> group = queue(List.of(
                routable(twice, hostOf(twice)),
                routable(twice, "other-" + hostOf(twice)),
                routable(sharerA, sharedHost),
                routable(sharerB, sharedHost),
                routable(plainA, hostOf(plainA)),
                routable(plainB, hostOf(plainB))));
        gate.connection().rollback();

        answers(first).forEach(answer -> answer.then().statusCode(201));
        List<Response> answers = answers(group);

        // The same name twice: one created, one refused as a taken name.
        Response twiceLoser = oneCreatedOneRefused(answers.get(0), answers.get(1));
        assertProblem(twiceLoser, 409).body("detail", equalTo("A distributor named '" + twice + "' already exists."));
        // Two names, one hostname: the one refused names the one created as the hostname's owner.
        String sharerWinner = answers.get(2).statusCode() == 201 ? sharerA : sharerB;
        Response sharerLoser = oneCreatedOneRefused(answers.get(2), answers.get(3));
        assertProblem(sharerLoser, 409).body("detail",
                equalTo("Hostname '" + sharedHost + "' belongs to distributor '" + sharerWinner + "'."));
        answers.get(4).then().statusCode(201);
        answers.get(5).then().statusCode(201);

        // The four created were one group: one transaction, one commit.
        assertEquals(1, transactionsOf(List.of(twice, sharerWinner, plainA, plainB)));
        String winnerHost = twiceLoser == answers.get(1) ? hostOf(twice) : "other-" + hostOf(twice);
        for (String[] created : List.of(new String[] { twice, winnerHost }, new String[] { sharerWinner, sharedHost },
                new String[] { plainA, hostOf(plainA) }, new String[] { plainB, hostOf(plainB) })) {
            assertStoredAndRoutable(created[0], created[1]);
        }
        String refusedSharer = sharerWinner.equals(sharerA) ? sharerB : sharerA;
        api().get(BASE + "/" + refusedSharer).then().statusCode(404);
        assertEquals(1, stored(twice));
    }

    @Test
    void aGroupWhereOneHitsAConcurrentWriteCreatesTheOthers() throws Exception {
        Held gate = holdGates();
        List<Future<Response>> first = postBehind(gate);

        // Another writer (another replica, say) holds a hostname one creation of the group wants, not yet committed:
        // the group's check cannot see it, and its insert waits for that writer, then fails when it commits.
        String rival = uniqueName("rival");
        String contested = "contested-" + hostOf(rival);
        Held rivalWrite = hold(rival, List.of(contested));
        String before = uniqueName("before");
        String loser = uniqueName("loser");
        String after = uniqueName("after");
        List<Future<Response>> group = queue(List.of(
                routable(before, hostOf(before)), routable(loser, contested), routable(after, hostOf(after))));
        gate.connection().rollback();
        answers(first).forEach(answer -> answer.then().statusCode(201));
        awaitTrue("the group's creation of '" + contested + "' waits for the other writer", () -> lockWaits() > 0);
        rivalWrite.connection().commit();

        List<Response> answers = answers(group);
        answers.get(0).then().statusCode(201);
        assertProblem(answers.get(1), 409).body("detail",
                equalTo("Hostname '" + contested + "' belongs to distributor '" + rival + "'."));
        answers.get(2).then().statusCode(201);
        api().get(BASE + "/" + loser).then().statusCode(404);
        // Written again one by one after the group's transaction failed: each its own commit.
        assertEquals(2, transactionsOf(List.of(before, after)));
        assertStoredAndRoutable(before, hostOf(before));
        assertStoredAndRoutable(after, hostOf(after));
    }

    @Test
    void aCreationThatBreaksARuleNeverReachesTheWriter() {
        Map<String, Object> invalid = minimal(uniqueName("invalid"));
        invalid.put("hostnames", List.of());
        assertProblem(api().contentType("application/json").body(invalid).post(BASE), 400)
                .body("violations.field", org.hamcrest.Matchers.hasItem("hostnames"));
        assertEquals(0, writer.waiting());
    }

    /**
     * A transaction of the test's own that has created {@code name} with {@code hostname} and not committed: a
     * creation that wants the hostname waits at its insert until this ends.
     */
    private Held hold(String name, List<String> hostnames) throws SQLException {
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", hostnames);
        DistributorService.Created stored = distributors.prepare(json.convertValue(doc, DistributorDocument.class));
        Connection connection = dataSource.getConnection();
        held.add(connection);
        connection.setAutoCommit(false);
        CreationWriter.insert(connection, stored.distributor(), stored.json());
        return new Held(connection, hostnames);
    }

    /** A hostname held for each writer. */
    private Held holdGates() throws SQLException {
        String gate = uniqueName("gate");
        List<String> hostnames = new ArrayList<>();
        for (int i = 0; i < CreationWriter.WRITERS; i++) {
            hostnames.add("gate" + i + "-" + hostOf(gate));
        }
        return hold(gate, hostnames);
    }

    /** A test's own transaction that holds hostnames. */
    private record Held(Connection connection, List<String> hostnames) {
    }

    /**
     * Posts a creation for each hostname {@code gate} holds, one after the other, each taken by a writer that then
     * waits for the held hostname; returns when every writer does.
     */
    private List<Future<Response>> postBehind(Held gate) throws Exception {
        List<Future<Response>> answers = new ArrayList<>();
        for (String hostname : gate.hostnames()) {
            String name = uniqueName("behind");
            int waits = answers.size() + 1;
            answers.add(clients.submit(() -> post(routable(name, hostname))));
            awaitTrue(waits + " writer(s) wait for the held hostnames", () -> lockWaits() == waits && writer.waiting() == 0);
        }
        return answers;
    }

    /** Posts the creations one after the other, so they queue in this order; returns once all wait for the writer. */
    private List<Future<Response>> queue(List<Map<String, Object>> creations) throws Exception {
        List<Future<Response>> answers = new ArrayList<>();
        for (Map<String, Object> creation : creations) {
            int before = writer.waiting();
            answers.add(clients.submit(() -> post(creation)));
            awaitTrue("creation " + creation.get("name") + " waits for the writer", () -> writer.waiting() == before + 1);
        }
        return answers;
    }

    private static List<Response> answers(List<Future<Response>> futures) throws Exception {
        List<Response> answers = new ArrayList<>();
        for (Future<Response> future : futures) {
            answers.add(future.get(30, TimeUnit.SECONDS));
        }
        return answers;
    }

    /** Of two answers, one is a 201 and the other not: returns the other. */
    private static Response oneCreatedOneRefused(Response a, Response b) {
        assertTrue(a.statusCode() == 201 ^ b.statusCode() == 201,
                "answered " + a.statusCode() + " and " + b.statusCode() + ": " + a.asString() + " / " + b.asString());
        return a.statusCode() == 201 ? b : a;
    }

    private static Response post(Map<String, Object> creation) {
        return api().contentType("application/json").body(creation).post(BASE);
    }

    private static Map<String, Object> routable(String name, String hostname) {
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", List.of(hostname));
        doc.put("backends", List.of(backend("only", server.url(), 1)));
        return doc;
    }

    private static void assertStoredAndRoutable(String name, String hostname) {
        api().get(BASE + "/" + name).then().statusCode(200).body("hostnames", equalTo(List.of(hostname)));
        assertEquals(200, ProxyClient.get(hostname, "/grouped").statusCode(), name + " is not routed");
    }

    /** How many distinct transactions wrote the distributor rows of those names. */
    private int transactionsOf(List<String> names) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select count(distinct xmin::text) from distributor where name = any (?)")) {
            query.setArray(1, connection.createArrayOf("varchar", names.toArray()));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private int stored(String name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from distributor where name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** Sessions of this database waiting for a lock (a creation waiting for another transaction's hostname). */
    private int lockWaits() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from pg_stat_activity"
                        + " where datname = current_database() and wait_event_type = 'Lock'");
                ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
