package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import org.postgresql.PGStatement;

import io.trafficdistributor.domain.HealthCheckType;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.domain.SameSite;

/**
 * The distributor statements that bypass Hibernate's entity machinery, on the transaction's own connection: the
 * full read that builds the routing table, a reconcile's reads (every version, then the distributors that differ),
 * a creation (the owners check and four tables in one round trip) and the owners check before an update. Each is one SQL statement, where Hibernate spent most of an API write's CPU time on query plans,
 * result mappings and flushes (profile in README, Performance). The columns are those of the {@code Distributor}
 * entity, which updates still go through; {@code DistributorWriteAndLoadTest} checks that the two agree.
 */
final class DistributorRows {

    private DistributorRows() {
    }

    /**
     * Each child table aggregated once, in key order, and merge-joined to the distributors: a correlated sub-select
     * per distributor and array took PostgreSQL three times as long for 100,000 distributors, and rows come out in
     * the order of the primary keys, as the aggregates go, so the first ones reach the reader at once.
     */
    /** A distributor row's own columns, the first 26 of both reads. */
    private static final String COLUMNS = """
            select d.id, d.name, d.routing, d.enabled, d.pass_host_header,
                   d.sticky_cookie_name, d.sticky_max_age_seconds, d.sticky_same_site,
                   d.hc_enabled, d.hc_type, d.hc_path, d.hc_expected_statuses, d.hc_interval_seconds,
                   d.hc_timeout_millis, d.hc_healthy_threshold, d.hc_unhealthy_threshold,
                   d.connect_millis, d.response_millis, d.attempt_millis, d.version, d.created_at, d.updated_at,
                   d.tls_acme, d.tls_redirect_http, d.tls_hsts_max_age_seconds, d.slow_start_seconds,
            """;
    /** Every distributor: the child tables aggregated once each, joined (not a sub-select per row). */
    private static final String READ_ALL = COLUMNS + """
                   coalesce(h.hostnames, '{}'), coalesce(b.names, '{}'), coalesce(b.urls, '{}'), coalesce(b.weights, '{}')
            from distributor d
            left join (select distributor_id, array_agg(hostname order by position) as hostnames
                       from distributor_hostname group by distributor_id) h on h.distributor_id = d.id
            left join (select distributor_id, array_agg(name order by position) as names,
                              array_agg(url order by position) as urls, array_agg(weight order by position) as weights
                       from backend group by distributor_id) b on b.distributor_id = d.id""";
    /**
     * The distributors of some names: a sub-select per row, by the child tables' indexes, since aggregating whole
     * tables (as {@link #READ_ALL} does) would cost as much for a few names as for all.
     */
    private static final String READ_NAMED = COLUMNS + """
                   array(select h.hostname from distributor_hostname h where h.distributor_id = d.id order by h.position),
                   array(select b.name from backend b where b.distributor_id = d.id order by b.position),
                   array(select b.url from backend b where b.distributor_id = d.id order by b.position),
                   array(select b.weight from backend b where b.distributor_id = d.id order by b.position)
            from distributor d
            where d.name = any (?::varchar[])""";

    /** Every distributor, in one consistent snapshot, mapped straight to documents. */
    static List<DistributorDocument> readAll(Connection connection) throws SQLException {
        List<DistributorDocument> all = new ArrayList<>();
        readAll(connection, all::add);
        return all;
    }

    /** Every distributor, in one consistent snapshot, handed to {@code each} as its row arrives. */
    static void readAll(Connection connection, Consumer<DistributorDocument> each) throws SQLException {
        try (PreparedStatement statement = binaryResults(connection.prepareStatement(READ_ALL))) {
            statement.setFetchSize(1000);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    each.accept(document(row));
                }
            }
        }
    }

    /** The distributors of those names that exist, in one statement. */
    static List<DistributorDocument> readNamed(Connection connection, Collection<String> names) throws SQLException {
        List<DistributorDocument> found = new ArrayList<>(names.size());
        try (PreparedStatement select = binaryResults(connection.prepareStatement(READ_NAMED))) {
            select.setFetchSize(1000);
            select.setArray(1, connection.createArrayOf("varchar", names.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.add(document(row));
                }
            }
        }
        return found;
    }

    /**
     * The statement with its results sent in PostgreSQL's binary format from its first execution (the driver
     * otherwise asks for text until a statement has run five times): arrays, timestamps and ids then arrive as
     * lengths and numbers instead of text to parse, which was most of the reader's CPU in a load of 100,000.
     */
    private static PreparedStatement binaryResults(PreparedStatement statement) throws SQLException {
        statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
        return statement;
    }

    /** How many distributors are stored and the sum of their versions' digests ({@link StoredDigest}): one row. */
    static StoredDigest digest(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(StoredDigest.QUERY)) {
            row.next();
            return new StoredDigest(row.getLong(1), row.getBigDecimal(2).toBigInteger().longValue());
        }
    }

    /** Name, id and version of every distributor: a reconcile's comparison, a few dozen bytes a distributor. */
    static List<StoredVersion> versions(Connection connection) throws SQLException {
        List<StoredVersion> all = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            statement.setFetchSize(10_000);
            try (ResultSet row = statement.executeQuery("select d.name, d.id, d.version from distributor d")) {
                while (row.next()) {
                    all.add(new StoredVersion(row.getString(1), row.getObject(2, UUID.class), row.getLong(3)));
                }
            }
        }
        return all;
    }

    /** The document of the row {@code row} is on, a row of {@link #READ_ALL} or {@link #READ_NAMED}. */
    private static DistributorDocument document(ResultSet row) throws SQLException {
        String[] backendNames = (String[]) row.getArray(28).getArray();
        String[] backendUrls = (String[]) row.getArray(29).getArray();
        Integer[] backendWeights = (Integer[]) row.getArray(30).getArray();
        List<BackendDocument> backends = new ArrayList<>(backendNames.length);
        for (int i = 0; i < backendNames.length; i++) {
            backends.add(new BackendDocument(backendNames[i], backendUrls[i], backendWeights[i]));
        }
        return new DistributorDocument(
                row.getString(2),
                List.of((String[]) row.getArray(27).getArray()),
                RoutingMethod.valueOf(row.getString(3)),
                row.getBoolean(4),
                List.copyOf(backends),
                new StickySessionDocument(row.getString(6), (Integer) row.getObject(7),
                        SameSite.valueOf(row.getString(8))),
                new HealthCheckDocument(row.getBoolean(9), HealthCheckType.valueOf(row.getString(10)),
                        row.getString(11), row.getString(12), row.getInt(13), row.getInt(14),
                        row.getInt(15), row.getInt(16)),
                new TimeoutsDocument(row.getInt(17), row.getInt(18), (Integer) row.getObject(19)),
                row.getBoolean(5),
                row.getInt(26),
                new TlsDocument(row.getBoolean(23), row.getBoolean(24), (Integer) row.getObject(25)),
                row.getObject(1, UUID.class),
                row.getLong(20),
                row.getObject(21, OffsetDateTime.class),
                row.getObject(22, OffsetDateTime.class));
    }

    /**
     * A creation in one statement, so one round trip: who already holds the name or one of the hostnames, and,
     * only when nobody does, the distributor row, its hostnames and its backends in list order, and its first
     * revision. The child rows reference the parent's row from the same statement (foreign keys are checked at its
     * end). The owners part is {@link #NAME_OR_HOSTNAME_OWNERS}: a creation that finds any inserts nothing.
     */
    private static final String CREATE = """
            with owners as (
                select d.name as owner, null as hostname from distributor d where d.name = ?
                union all
                select d.name, h.hostname from distributor_hostname h join distributor d on d.id = h.distributor_id
                where h.hostname = any (?::varchar[])),
            d as (
                insert into distributor (id, name, routing, enabled, pass_host_header,
                    sticky_cookie_name, sticky_max_age_seconds, sticky_same_site,
                    hc_enabled, hc_type, hc_path, hc_expected_statuses, hc_interval_seconds,
                    hc_timeout_millis, hc_healthy_threshold, hc_unhealthy_threshold,
                    connect_millis, response_millis, attempt_millis, version, created_at, updated_at,
                    tls_acme, tls_redirect_http, tls_hsts_max_age_seconds, slow_start_seconds)
                select ?::uuid, ?, ?, ?::boolean, ?::boolean, ?, ?::integer, ?, ?::boolean, ?, ?, ?, ?::integer,
                    ?::integer, ?::integer, ?::integer, ?::integer, ?::integer, ?::integer, ?::bigint,
                    ?::timestamptz, ?::timestamptz, ?::boolean, ?::boolean, ?::integer, ?::integer
                where not exists (select 1 from owners)
                returning id, version, updated_at),
            h as (
                insert into distributor_hostname (distributor_id, position, hostname)
                select d.id, t.position - 1, t.hostname
                from d, unnest(?::varchar[]) with ordinality as t(hostname, position)),
            b as (
                insert into backend (distributor_id, position, name, url, weight)
                select d.id, t.position - 1, t.name, t.url, t.weight
                from d, unnest(?::varchar[], ?::varchar[], ?::integer[]) with ordinality as t(name, url, weight, position)),
            r as (
                insert into distributor_revision (distributor_id, version, change, changed_at, document)
                select d.id, d.version, ?, d.updated_at, ?::jsonb from d)
            select owner, hostname from owners""";

    /**
     * Creates the distributor {@code d} (validated, with defaults, id, version and timestamps set) with its first
     * revision ({@code revision}, the document as JSON), unless its name or a hostname is taken.
     *
     * @return who holds what it wants, as {@link #owners} answers: empty when it was created
     */
    static List<String[]> create(Connection connection, DistributorDocument d, ChangeKind change, String revision)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(CREATE)) {
            int i = 0;
            insert.setString(++i, d.name());
            insert.setArray(++i, connection.createArrayOf("varchar", d.hostnames().toArray()));
            insert.setObject(++i, d.id());
            insert.setString(++i, d.name());
            insert.setString(++i, d.routing().name());
            insert.setBoolean(++i, d.enabled());
            insert.setBoolean(++i, d.passHostHeader());
            StickySessionDocument sticky = d.stickySession();
            insert.setString(++i, sticky.cookieName());
            setInteger(insert, ++i, sticky.maxAgeSeconds());
            insert.setString(++i, sticky.sameSite().name());
            HealthCheckDocument hc = d.healthCheck();
            insert.setBoolean(++i, hc.enabled());
            insert.setString(++i, hc.type().name());
            insert.setString(++i, hc.path());
            insert.setString(++i, hc.expectedStatuses());
            insert.setInt(++i, hc.intervalSeconds());
            insert.setInt(++i, hc.timeoutMillis());
            insert.setInt(++i, hc.healthyThreshold());
            insert.setInt(++i, hc.unhealthyThreshold());
            TimeoutsDocument timeouts = d.timeouts();
            insert.setInt(++i, timeouts.connectMillis());
            insert.setInt(++i, timeouts.responseMillis());
            setInteger(insert, ++i, timeouts.attemptMillis());
            insert.setLong(++i, d.version());
            insert.setObject(++i, d.createdAt());
            insert.setObject(++i, d.updatedAt());
            insert.setBoolean(++i, d.tls().acme());
            insert.setBoolean(++i, d.tls().redirectHttp());
            setInteger(insert, ++i, d.tls().hstsMaxAgeSeconds());
            insert.setInt(++i, d.slowStartSeconds());
            insert.setArray(++i, connection.createArrayOf("varchar", d.hostnames().toArray()));
            List<BackendDocument> backends = d.backends();
            insert.setArray(++i, connection.createArrayOf("varchar", backends.stream().map(BackendDocument::name).toArray()));
            insert.setArray(++i, connection.createArrayOf("varchar", backends.stream().map(BackendDocument::url).toArray()));
            insert.setArray(++i, connection.createArrayOf("integer", backends.stream().map(BackendDocument::weight).toArray()));
            insert.setString(++i, change.name());
            insert.setString(++i, revision);
            List<String[]> owners = new ArrayList<>();
            try (ResultSet row = insert.executeQuery()) {
                while (row.next()) {
                    owners.add(new String[] { row.getString(1), row.getString(2) });
                }
            }
            return owners;
        }
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    /** Hostname → owning distributor, for those of {@code hostnames} that have one. */
    private static final String HOSTNAME_OWNERS = """
            select d.name, h.hostname from distributor_hostname h join distributor d on d.id = h.distributor_id
            where h.hostname = any (?::varchar[])""";
    /** The same, and a row with a null hostname if the name is taken. */
    private static final String NAME_OR_HOSTNAME_OWNERS = """
            select d.name, null from distributor d where d.name = ?
            union all
            """ + HOSTNAME_OWNERS;

    /**
     * Who holds what a write wants: a row {owner, hostname} for each of {@code hostnames} that a distributor owns
     * (the writer's own included), and, for a creation ({@code isNew}), a row {name, null} if the name is taken.
     */
    static List<String[]> owners(Connection connection, String name, List<String> hostnames, boolean isNew)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(isNew ? NAME_OR_HOSTNAME_OWNERS : HOSTNAME_OWNERS)) {
            int i = 0;
            if (isNew) {
                query.setString(++i, name);
            }
            query.setArray(++i, connection.createArrayOf("varchar", hostnames.toArray()));
            List<String[]> rows = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(new String[] { row.getString(1), row.getString(2) });
                }
            }
            return rows;
        }
    }
}
