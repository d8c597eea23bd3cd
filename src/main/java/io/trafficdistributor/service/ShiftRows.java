package io.trafficdistributor.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The {@code distributor_shift} statements, on the calling transaction's connection. */
final class ShiftRows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Integer>> WEIGHTS = new TypeReference<>() {
    };

    private ShiftRows() {
    }

    private static final String SELECT = """
            select d.id, d.name, d.version, s.state, s.target_weights::text, s.start_weights::text, s.duration_seconds,
                   s.steps, s.step, s.abort_on_down, s.started_at, s.next_step_at, s.ended_at, s.reason, s.last_version
            from distributor_shift s join distributor d on d.id = s.distributor_id""";

    /**
     * The shift of the distributor named {@code name}; with {@code lock}, its row and the distributor's are locked
     * to the end of the transaction, so no write of the distributor comes between reading its version and a step.
     */
    static Optional<StoredShift> find(Connection connection, String name, boolean lock) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + " where d.name = ?" + (lock ? " for update" : ""))) {
            select.setString(1, name);
            List<StoredShift> rows = read(select);
            return rows.stream().findFirst();
        }
    }

    /** Every running shift. */
    static List<StoredShift> running(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + " where s.state = 'RUNNING' order by d.name")) {
            return read(select);
        }
    }

    /**
     * Stores a new shift for the distributor in place of its last one, unless that one is still running: then
     * nothing is written and the answer is false. One statement, so two concurrent starts cannot both win.
     */
    static boolean start(Connection connection, UUID distributor, Shift shift, long version) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                insert into distributor_shift (distributor_id, state, start_weights, target_weights, steps, step,
                    duration_seconds, abort_on_down, started_at, next_step_at, last_version, ended_at, reason)
                values (?, ?, ?::jsonb, ?::jsonb, ?, 0, ?, ?, ?, ?, ?, null, null)
                on conflict (distributor_id) do update set state = excluded.state,
                    start_weights = excluded.start_weights, target_weights = excluded.target_weights,
                    steps = excluded.steps, step = 0, duration_seconds = excluded.duration_seconds,
                    abort_on_down = excluded.abort_on_down, started_at = excluded.started_at,
                    next_step_at = excluded.next_step_at, last_version = excluded.last_version, ended_at = null,
                    reason = null
                where distributor_shift.state <> 'RUNNING'""")) {
            int i = 0;
            upsert.setObject(++i, distributor);
            upsert.setString(++i, shift.state().name());
            upsert.setString(++i, json(shift.startWeights()));
            upsert.setString(++i, json(shift.weights()));
            upsert.setInt(++i, shift.steps());
            upsert.setInt(++i, shift.durationSeconds());
            upsert.setBoolean(++i, shift.abortOnDown());
            upsert.setObject(++i, shift.startedAt());
            upsert.setObject(++i, shift.nextStepAt());
            upsert.setLong(++i, version);
            return upsert.executeUpdate() == 1;
        }
    }

    /** Records where the shift now stands: its state, steps done, the version it last wrote, its next step, its end. */
    static void update(Connection connection, UUID distributor, Shift shift, long lastVersion) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update distributor_shift set state = ?, step = ?, next_step_at = ?, ended_at = ?, reason = ?,
                    last_version = ?
                where distributor_id = ?""")) {
            int i = 0;
            update.setString(++i, shift.state().name());
            update.setInt(++i, shift.step());
            update.setObject(++i, shift.nextStepAt());
            update.setObject(++i, shift.endedAt());
            update.setString(++i, shift.reason());
            update.setLong(++i, lastVersion);
            update.setObject(++i, distributor);
            update.executeUpdate();
        }
    }

    private static List<StoredShift> read(PreparedStatement select) throws SQLException {
        List<StoredShift> rows = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                Shift shift = new Shift(ShiftState.valueOf(row.getString(4)), weights(row.getString(5)),
                        weights(row.getString(6)), row.getInt(7), row.getInt(8), row.getInt(9), row.getBoolean(10),
                        row.getObject(11, OffsetDateTime.class), row.getObject(12, OffsetDateTime.class),
                        row.getObject(13, OffsetDateTime.class), row.getString(14));
                rows.add(new StoredShift(row.getObject(1, UUID.class), row.getString(2), shift, row.getLong(15), row.getLong(3)));
            }
        }
        return rows;
    }

    private static String json(Map<String, Integer> weights) {
        try {
            return JSON.writeValueAsString(weights);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> weights(String json) {
        try {
            return JSON.readValue(json, WEIGHTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored shift weights are not JSON: " + json, e);
        }
    }
}
