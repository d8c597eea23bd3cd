package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trafficdistributor.config.TdConfig;

/**
 * The change history's rows (DESIGN §8): each write's document recorded on the writing transaction's own
 * connection, so a change and its revision commit or fail together; the history read back newest first. Only the
 * newest {@code td.revisions.keep} of a distributor are kept: each record deletes what falls out of that window.
 */
@ApplicationScoped
public class Revisions {

    private static final String INSERT = """
            insert into distributor_revision (distributor_id, version, change, changed_at, document)
            values (?, ?, ?, ?, ?::jsonb)""";
    /** Everything older than the keep-th newest; nothing while there are fewer. */
    private static final String PRUNE = """
            delete from distributor_revision where distributor_id = ? and version < (
                select version from distributor_revision where distributor_id = ?
                order by version desc offset ? limit 1)""";
    private static final String SELECT = """
            select r.version, r.changed_at, r.change, r.document::text from distributor_revision r
            join distributor d on d.id = r.distributor_id where d.name = ?""";

    @Inject
    EntityManager entityManager;

    @Inject
    ObjectMapper json;

    @Inject
    TdConfig config;

    /** Records {@code written} (a committed-to-be write's stored document) in the current transaction. */
    void record(DistributorDocument written, ChangeKind change) {
        String document = json(written);
        session().doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setObject(1, written.id());
                insert.setLong(2, written.version());
                insert.setString(3, change.name());
                insert.setObject(4, written.updatedAt());
                insert.setString(5, document);
                insert.executeUpdate();
            }
            if (written.version() >= config.revisions().keep()) {
                prune(connection, written.id());
            }
        });
    }

    /**
     * A distributor as its revision stores it. A creation writes its first revision in its own statement
     * ({@code DistributorRows.create}), with this.
     */
    String json(DistributorDocument written) {
        try {
            return json.writeValueAsString(written);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write distributor '" + written.name() + "' as JSON", e);
        }
    }

    private void prune(Connection connection, UUID distributor) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(PRUNE)) {
            delete.setObject(1, distributor);
            delete.setObject(2, distributor);
            delete.setInt(3, config.revisions().keep() - 1);
            delete.executeUpdate();
        }
    }

    /** A page of the history of the distributor named {@code name}, newest first. */
    Page<Revision> list(String name, int limit, int offset) {
        return session().doReturningWork(connection -> {
            List<Revision> items;
            try (PreparedStatement select = connection.prepareStatement(SELECT + " order by r.version desc limit ? offset ?")) {
                select.setString(1, name);
                select.setInt(2, limit);
                select.setInt(3, offset);
                items = read(select);
            }
            long total;
            try (PreparedStatement count = connection.prepareStatement("""
                    select count(*) from distributor_revision r join distributor d on d.id = r.distributor_id
                    where d.name = ?""")) {
                count.setString(1, name);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    total = row.getLong(1);
                }
            }
            return new Page<>(items, total, limit, offset);
        });
    }

    /** The revision {@code version} of the distributor named {@code name}, if it is still kept. */
    Optional<Revision> get(String name, long version) {
        return session().doReturningWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT + " and r.version = ?")) {
                select.setString(1, name);
                select.setLong(2, version);
                return read(select).stream().findFirst();
            }
        });
    }

    /** A stored document as the distributor document it was, for writing it back. */
    DistributorDocument document(Revision revision) {
        try {
            return json.treeToValue(revision.document(), DistributorDocument.class);
        } catch (JsonProcessingException e) {
            // Only a field this version of the service no longer knows could do this.
            throw new ConflictException("Revision " + revision.version() + " cannot be written back: it is not a"
                    + " document this version of the service reads (" + e.getOriginalMessage() + ").");
        }
    }

    private List<Revision> read(PreparedStatement select) throws SQLException {
        List<Revision> revisions = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                try {
                    revisions.add(new Revision(row.getLong(1), row.getObject(2, java.time.OffsetDateTime.class),
                            ChangeKind.valueOf(row.getString(3)), json.readTree(row.getString(4))));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("a stored revision is not JSON", e);
                }
            }
        }
        return revisions;
    }

    private Session session() {
        return entityManager.unwrap(Session.class);
    }
}
