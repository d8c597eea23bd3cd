package io.trafficdistributor.service;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.jboss.logging.Logger;

import io.trafficdistributor.domain.Distributor;
import io.trafficdistributor.domain.RoutingMethod;

/**
 * Gradual weight shifts (DESIGN §8): starting one (validated against the distributor as it is), showing and
 * stopping it, and the driver's moves, each one transaction: a step (an ordinary write of the distributor, kind
 * SHIFT, with If-Match on the version the shift last wrote), an abort that writes the starting weights back, a
 * cancellation. Which replica drives, and when, is {@code ShiftDriver}'s business.
 */
@ApplicationScoped
public class ShiftService {

    private static final Logger LOG = Logger.getLogger(ShiftService.class);
    public static final int MAX_DURATION_SECONDS = 86_400;
    public static final int MAX_STEPS = 1000;
    static final int DEFAULT_STEPS = 10;

    @Inject
    DistributorService distributors;

    @Inject
    EntityManager entityManager;

    /** Starts a shift of the distributor's weights towards {@code request.weights()}; its first step is one interval away. */
    @Transactional
    public Shift start(String name, OptionalLong ifMatch, ShiftRequest request) {
        Distributor entity = DistributorService.find(name).orElseThrow(() -> DistributorService.notFound(name));
        DistributorService.checkVersion(entity, ifMatch);
        DistributorDocument current = DistributorService.toDocument(entity);
        Map<String, Integer> from = validate(current, request);
        if (current.routing() == RoutingMethod.FAILOVER) {
            throw new ConflictException("Distributor '" + name + "' routes by FAILOVER: its backends take traffic by their"
                    + " order in the list, never by weight, so shifting weights would move nothing. Change the order, or"
                    + " the routing method, instead.");
        }
        int steps = request.steps() == null ? Math.min(DEFAULT_STEPS, request.durationSeconds()) : request.steps();
        ShiftPlan plan = new ShiftPlan(from, request.weights(), steps, Duration.ofSeconds(request.durationSeconds()));
        OffsetDateTime now = StoredTime.now();
        Shift started = new Shift(ShiftState.RUNNING, new LinkedHashMap<>(request.weights()), from,
                request.durationSeconds(), steps, 0, Boolean.TRUE.equals(request.abortOnDown()), now,
                now.plus(plan.interval()), null, null);
        boolean stored = session().doReturningWork(c -> ShiftRows.start(c, entity.id, started, entity.version));
        if (!stored) {
            Shift running = get(name);
            throw new ConflictException("Distributor '" + name + "' has a shift running (step " + running.step() + " of "
                    + running.steps() + "): stop it with DELETE …/shift first.");
        }
        LOG.infof("Shift of distributor '%s' started: %s -> %s in %d step(s) over %d s%s", name, from, started.weights(),
                steps, started.durationSeconds(), started.abortOnDown() ? ", aborted if a gaining backend goes DOWN" : "");
        return started;
    }

    /**
     * The request's rules, each broken one a violation at its field; answers the current weights of the backends
     * the request names (where the shift starts from).
     */
    private Map<String, Integer> validate(DistributorDocument current, ShiftRequest request) {
        List<Violation> violations = new ArrayList<>();
        Map<String, Integer> from = new LinkedHashMap<>();
        if (request.weights() == null || request.weights().isEmpty()) {
            violations.add(new Violation("weights", "is required: the target weight of each backend to shift, by name"));
        } else {
            for (Map.Entry<String, Integer> weight : request.weights().entrySet()) {
                String field = "weights." + weight.getKey();
                int index = DistributorService.indexOf(current.backends(), weight.getKey());
                if (index < 0) {
                    violations.add(new Violation(field, "names no backend of distributor '" + current.name()
                            + "'; its backends are " + current.backends().stream().map(BackendDocument::name).toList()));
                } else if (weight.getValue() == null || weight.getValue() < 0 || weight.getValue() > 1000) {
                    violations.add(new Violation(field, "must be an integer from 0 to 1000"));
                } else {
                    from.put(weight.getKey(), current.backends().get(index).weight());
                }
            }
        }
        Integer duration = request.durationSeconds();
        if (duration == null || duration < 1 || duration > MAX_DURATION_SECONDS) {
            violations.add(new Violation("durationSeconds", "must be an integer from 1 to " + MAX_DURATION_SECONDS));
        }
        Integer steps = request.steps();
        if (steps != null && (steps < 1 || steps > MAX_STEPS)) {
            violations.add(new Violation("steps", "must be an integer from 1 to " + MAX_STEPS));
        } else if (steps != null && duration != null && duration >= 1 && steps > duration) {
            violations.add(new Violation("steps", "must be at most durationSeconds (" + duration
                    + "): steps are at least a second apart"));
        }
        if (violations.isEmpty()) {
            try {
                distributors.validate(withWeights(current, request.weights()));
            } catch (InvalidDocumentException e) {
                for (Violation broken : e.violations()) {
                    violations.add(new Violation("weights", "would leave the distributor breaking a rule: "
                            + broken.field() + " " + broken.message()));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(violations);
        }
        return from;
    }

    /** The distributor's shift: the running one, or the last one and how it ended. */
    @Transactional
    public Shift get(String name) {
        DistributorService.find(name).orElseThrow(() -> DistributorService.notFound(name));
        return session().doReturningWork(c -> ShiftRows.find(c, name, false)).map(StoredShift::shift)
                .orElseThrow(() -> noShift(name));
    }

    /** Stops a running shift where it is (the weights stay as its last step left them); an ended one is left as it is. */
    @Transactional
    public Shift stop(String name, OptionalLong ifMatch) {
        Distributor entity = DistributorService.find(name).orElseThrow(() -> DistributorService.notFound(name));
        DistributorService.checkVersion(entity, ifMatch);
        StoredShift row = session().doReturningWork(c -> ShiftRows.find(c, name, true)).orElseThrow(() -> noShift(name));
        if (row.shift().state() != ShiftState.RUNNING) {
            return row.shift();
        }
        Shift stopped = row.shift().ended(ShiftState.STOPPED, StoredTime.now(), "stopped through the API after step "
                + row.shift().step() + " of " + row.shift().steps());
        store(row, stopped, row.lastVersion());
        LOG.infof("Shift of distributor '%s' stopped through the API after step %d of %d", name, row.shift().step(),
                row.shift().steps());
        return stopped;
    }

    private static NotFoundException noShift(String name) {
        return new NotFoundException("Distributor '" + name + "' has no shift: start one with POST …/shift.");
    }

    /** Every running shift, for the driver. */
    @Transactional
    public List<StoredShift> running() {
        return session().doReturningWork(ShiftRows::running);
    }

    /**
     * The next step of a shift the driver found due, if it still runs as the driver saw it: the distributor is
     * written with the step's weights (kind SHIFT), and the shift moves on, in one transaction. A distributor
     * written by someone else since the shift's last write cancels the shift instead.
     */
    @Transactional
    public void step(StoredShift seen) {
        StoredShift row = lockUnchanged(seen);
        if (row == null) {
            return;
        }
        Shift shift = row.shift();
        int done = shift.step() + 1;
        Map<String, Integer> weights = shift.plan().weightsAt(done);
        DistributorDocument written = distributors.update(row.name(), OptionalLong.of(row.lastVersion()),
                current -> withWeights(current, weights), ChangeKind.SHIFT);
        OffsetDateTime now = StoredTime.now();
        OffsetDateTime next = shift.nextStepAt().plus(shift.plan().interval());
        if (next.isBefore(now)) {
            next = now.plus(shift.plan().interval()); // late (a restart, a takeover): keep the spacing from here
        }
        store(row, shift.advanced(done, next, now), written.version());
        LOG.infof("Shift of distributor '%s': step %d of %d, weights %s (version %d)%s", row.name(), done, shift.steps(),
                weights, written.version(), done >= shift.steps() ? "; completed" : "");
    }

    /**
     * Ends a running shift that a gaining backend going DOWN aborts: the starting weights are written back (kind
     * SHIFT) and the reason kept.
     */
    @Transactional
    public void abort(StoredShift seen, String why) {
        StoredShift row = lockUnchanged(seen);
        if (row == null) {
            return;
        }
        Shift shift = row.shift();
        DistributorDocument written = distributors.update(row.name(), OptionalLong.of(row.lastVersion()),
                current -> withWeights(current, shift.startWeights()), ChangeKind.SHIFT);
        store(row, shift.ended(ShiftState.ABORTED, StoredTime.now(), why + "; the starting weights were restored"), written.version());
        LOG.warnf("Shift of distributor '%s' aborted after step %d of %d: %s; starting weights %s restored (version %d)",
                row.name(), shift.step(), shift.steps(), why, shift.startWeights(), written.version());
    }

    /**
     * Cancels a running shift whose step could not be written ({@code why}), or, when the distributor was written
     * by someone else meanwhile, for that reason.
     */
    @Transactional
    public void cancel(StoredShift seen, String why) {
        StoredShift row = lockUnchanged(seen);
        if (row != null) {
            end(row, why);
        }
    }

    /**
     * The shift as the driver saw it, locked with its distributor, if it still runs from the same version; null
     * when it has moved on (another replica, a stop). A distributor written by someone else cancels it here.
     */
    private StoredShift lockUnchanged(StoredShift seen) {
        StoredShift row = session().doReturningWork(c -> ShiftRows.find(c, seen.name(), true)).orElse(null);
        if (row == null || !row.distributorId().equals(seen.distributorId()) || row.shift().state() != ShiftState.RUNNING
                || row.lastVersion() != seen.lastVersion() || row.shift().step() != seen.shift().step()) {
            return null;
        }
        if (row.currentVersion() != row.lastVersion()) {
            end(row, "distributor '" + row.name() + "' was changed by another write (version " + row.currentVersion()
                    + "; the shift last wrote or started from version " + row.lastVersion() + ")");
            return null;
        }
        return row;
    }

    private void end(StoredShift row, String why) {
        store(row, row.shift().ended(ShiftState.CANCELLED, StoredTime.now(), why + "; the weights stay as they are"), row.lastVersion());
        LOG.warnf("Shift of distributor '%s' cancelled after step %d of %d: %s", row.name(), row.shift().step(),
                row.shift().steps(), why);
    }

    private void store(StoredShift row, Shift shift, long lastVersion) {
        session().doWork(c -> ShiftRows.update(c, row.distributorId(), shift, lastVersion));
    }

    /** The document with the named backends' weights replaced. */
    static DistributorDocument withWeights(DistributorDocument document, Map<String, Integer> weights) {
        return document.withBackends(document.backends().stream()
                .map(b -> weights.containsKey(b.name()) ? new BackendDocument(b.name(), b.url(), weights.get(b.name())) : b)
                .toList());
    }

    private Session session() {
        return entityManager.unwrap(Session.class);
    }

}
