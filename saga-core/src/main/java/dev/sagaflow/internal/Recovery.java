package dev.sagaflow.internal;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's hold on its node id and on the instances it drives, and the search for instances nobody drives:
 * registration of the process's incarnation, lease renewal (off the timer thread), claims of orphaned
 * instances, reconciliation of what the store says this node owns with what it drives, and the report of
 * instances it cannot resume. Thread-safe.
 *
 * <p>A node whose renewals fail for longer than its lease starts no new attempt until a renewal succeeds and the
 * run has re-read its instance ({@link #leaseHeld()}, {@link #awaitLease}). A node whose node id another process
 * has registered since (two processes configured with the same id) is fenced: it stops driving everything and
 * refuses new sagas.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    private static final int CLAIM_BATCH = 100;
    private static final int MAX_BATCHES = 100;
    private static final int MAX_REPORTED = 10_000;

    private final Orchestrator node;
    private final SagaStore store;
    private final NodeLease lease;
    private final Duration pollInterval;
    /** Runs the blocking lease calls: never the timer's own thread. */
    private final Executor background;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Set<String> quarantined = ConcurrentHashMap.newKeySet();
    private final Set<SagaRun<?>> waitingForLease = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ownInstancesClaimed = new AtomicBoolean();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile Instant leaseHeldUntil;
    /**
     * Advances whenever a renewal succeeds after the lease had run out: every run must then read its instance
     * again before its next attempt, since another node may have taken it meanwhile.
     */
    private volatile long leaseEpoch;
    private volatile boolean fenced;
    /** Whether this incarnation's registration has been written (it fails while the store is down). */
    private volatile boolean registered;
    private volatile SagaTimer.Scheduled renewTask;
    private volatile SagaTimer.Scheduled pollTask;

    Recovery(Orchestrator node, NodeLease lease, Duration pollInterval, Executor background) {
        this.node = node;
        this.store = node.store();
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.background = background;
    }

    NodeLease lease() {
        return lease;
    }

    boolean isFenced() {
        return fenced;
    }

    // ---------------------------------------------------------------- start-up

    /**
     * Registers this process's incarnation under the node id, then lets go of what an earlier process with this
     * node id left: released, those instances are claimed back at once by {@link #recover()} if this node can
     * resume them, and the others are reported and left to a node that can.
     */
    void register() {
        Instant started = node.now();
        try {
            registerOnce();
            leaseHeldUntil = started.plus(lease.lease());
        } catch (RuntimeException e) {
            log.warn("registering node {} failed; it is tried again before each lease renewal until it succeeds: {}",
                    lease.nodeId(), e.toString());
        }
        try {
            int released = store.releaseLeases(lease.nodeId());
            if (released > 0) {
                log.info("released {} lease(s) held under node id {} before this start", released, lease.nodeId());
            }
        } catch (RuntimeException e) {
            log.warn("releasing the leases held under node id {} before this start failed: {}", lease.nodeId(),
                    e.toString());
        }
    }

    /**
     * Registers this incarnation under the node id. Until it has, a renewal would find an earlier process's
     * registration and take it for a live twin, so each renewal first registers when this has not succeeded yet
     * (a process that started while the store was down).
     */
    private void registerOnce() {
        NodeRegistration previous = store.registerNode(lease);
        registered = true;
        if (previous.previousLive()) {
            log.warn("node id {} was held by process incarnation {} until {} (store clock): either that process"
                    + " died less than a lease ago, or another live process uses the same node id; then it stops"
                    + " driving sagas at its next lease renewal. Give every process its own node id.",
                    lease.nodeId(), previous.previousIncarnation(), previous.previousLeaseUntil());
        }
    }

    void startBackgroundTasks() {
        scheduleRenewal(lease.lease().dividedBy(3));
        schedulePoll();
    }

    void stopBackgroundTasks() {
        cancel(renewTask);
        cancel(pollTask);
    }

    // ---------------------------------------------------------------- leases

    /** The lease epoch; see {@link #leaseHeld()}. */
    long leaseEpoch() {
        return leaseEpoch;
    }

    /**
     * Whether this node's leases are known to hold now: it renewed (or registered) less than a lease ago. A run
     * also checks that the {@link #leaseEpoch()} has not moved since it last read its instance.
     */
    boolean leaseHeld() {
        Instant until = leaseHeldUntil;
        return !fenced && until != null && node.now().isBefore(until);
    }

    /** Parks {@code run} until a renewal succeeds; then it re-reads its instance and acts if it is still its own. */
    void awaitLease(SagaRun<?> run) {
        if (waitingForLease.add(run)) {
            log.info("saga {}: this node's lease has not been renewed within {}; renewing before the next attempt",
                    run.id(), lease.lease());
        }
        renewSoon();
    }

    private void scheduleRenewal(Duration delay) {
        if (node.isClosed()) {
            return;
        }
        renewTask = node.timer().schedule(delay, this::renewSoon);
    }

    /** Hands a renewal to the background executor (one at a time). */
    private void renewSoon() {
        if (node.isClosed() || !renewing.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(this::renew);
        } catch (RuntimeException e) {
            renewing.set(false);
            scheduleRenewal(lease.lease().dividedBy(10));
        }
    }

    private void renew() {
        Duration next = lease.lease().dividedBy(3);
        try {
            if (node.isClosed()) {
                return;
            }
            Instant started = node.now();
            Instant held = leaseHeldUntil;
            boolean lapsed = held == null || !started.isBefore(held);
            if (!registered) {
                registerOnce();
            }
            LeaseRenewal renewal = store.renewLeases(lease);
            if (!renewal.nodeHeld()) {
                fence();
                return;
            }
            if (lapsed) {
                leaseEpoch++;
                log.info("node {} renewed its leases after they had run out; its sagas read their instances again"
                        + " before their next attempt", lease.nodeId());
            }
            leaseHeldUntil = started.plus(lease.lease());
            log.debug("renewed {} lease(s)", renewal.renewed());
            releaseWaiting();
        } catch (RuntimeException e) {
            // Try again sooner; until a renewal succeeds, runs start no attempt once the lease has run out.
            next = lease.lease().dividedBy(10);
            log.warn("renewing the leases of node {} failed, trying again in {}: {}", lease.nodeId(), next,
                    e.toString());
        } finally {
            renewing.set(false);
        }
        scheduleRenewal(next);
    }

    private void releaseWaiting() {
        List<SagaRun<?>> runs = new ArrayList<>(waitingForLease);
        for (SagaRun<?> run : runs) {
            waitingForLease.remove(run);
            long epoch = leaseEpoch;
            node.execute(() -> {
                SagaInstance stored;
                try {
                    stored = store.find(run.id()).orElse(null);
                } catch (RuntimeException e) {
                    awaitLease(run);
                    return;
                }
                run.leaseConfirmed(stored, epoch);
            });
        }
    }

    /** Another process registered this node id: stop driving everything, refuse new sagas. */
    private void fence() {
        if (fenced) {
            return;
        }
        fenced = true;
        log.error("node id {} is now held by another process: two processes use the same node id. This process"
                + " (incarnation {}) stops driving sagas and refuses new ones; the other resumes them. Give every"
                + " process its own node id.", lease.nodeId(), lease.incarnation());
        node.fenced();
    }

    // ---------------------------------------------------------------- claims and reconciliation

    private void schedulePoll() {
        if (node.isClosed()) {
            return;
        }
        pollTask = node.later(pollInterval, () -> {
            try {
                recover();
            } catch (RuntimeException e) {
                log.warn("looking for instances to resume failed: {}", e.toString());
            }
            schedulePoll();
        });
    }

    /**
     * Claims and resumes the live instances nobody drives (on the first pass also those an earlier process with
     * this node id left), reconciles what the store says this node owns with what it drives, and reports the
     * instances it cannot resume.
     *
     * @return how many instances were claimed
     */
    int recover() {
        if (node.isClosed()) {
            return 0;
        }
        // Until a pass has succeeded, instances this node id owned in a previous process are claimed whatever
        // their lease says; if the first pass fails (the store is down at start-up), the next one tries again.
        boolean includeOwn = !ownInstancesClaimed.get();
        int total = 0;
        Set<String> fingerprints = node.definitions().fingerprints();
        RuntimeException failure = null;
        if (!fingerprints.isEmpty()) {
            try {
                for (int batch = 0; batch < MAX_BATCHES; batch++) {
                    List<SagaInstance> claimed = store.claim(ClaimRequest.any(lease.nodeId(), lease.lease(),
                            fingerprints, includeOwn, CLAIM_BATCH));
                    for (SagaInstance instance : claimed) {
                        resumeClaimed(instance);
                    }
                    total += claimed.size();
                    if (claimed.size() < CLAIM_BATCH) {
                        break;
                    }
                }
                if (includeOwn) {
                    ownInstancesClaimed.set(true);
                }
            } catch (RuntimeException e) {
                // A claim whose answer was lost took instances this node does not know it owns: the
                // reconciliation below finds them.
                failure = e;
            }
        }
        if (total > 0) {
            log.info("claimed {} saga instance(s) to resume", total);
        }
        reconcile();
        reportUnresumable();
        if (failure != null) {
            throw failure;
        }
        return total;
    }

    /**
     * What the store says this node owns against what it drives: an owned instance nobody drives here (an insert
     * or claim whose answer was lost) is claimed by id and resumed; a run whose instance moved on (another node
     * or an operator took it) stops and watches for the outcome.
     */
    void reconcile() {
        if (node.isClosed() || fenced) {
            return;
        }
        Set<String> owned = new HashSet<>();
        Set<String> orphans = new HashSet<>();
        SagaQuery query = SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING).owner(lease.nodeId())
                .limit(1000);
        List<SagaInstance> page;
        do {
            page = store.query(query);
            for (SagaInstance instance : page) {
                owned.add(instance.id());
                SagaRun<?> run = node.run(instance.id());
                if (run == null) {
                    if (!quarantined.contains(instance.id() + "@" + instance.version())
                            && !node.isStarting(instance.id())) {
                        orphans.add(instance.id());
                    }
                } else if (run.instance().version() != instance.version()) {
                    run.checkStored(instance);
                }
            }
            if (!page.isEmpty()) {
                query = query.after(page.get(page.size() - 1));
            }
        } while (page.size() == query.limit());
        for (SagaRun<?> run : node.runs()) {
            if (!owned.contains(run.id()) && run.instance().status().isLive()) {
                run.checkStored(store.find(run.id()).orElse(null));
            }
        }
        if (!orphans.isEmpty()) {
            log.info("{} instance(s) owned by node {} were driven by nobody (an insert or a claim whose answer was"
                    + " lost); resuming them", orphans.size(), lease.nodeId());
            for (SagaInstance instance : store.claim(ClaimRequest.of(lease.nodeId(), lease.lease(),
                    node.definitions().fingerprints(), orphans))) {
                resumeClaimed(instance);
            }
        }
    }

    /** An instance that cannot be written even as FAILED: never taken over again by this node. */
    void quarantine(SagaInstance instance, String reason) {
        quarantined.add(instance.id() + "@" + instance.version());
        node.emit(new HistoryEntry(instance.id(), node.now(), SagaEventType.INSTANCE_NOT_RESUMABLE, null, 0,
                "the store refuses every write to it: " + reason), instance.sagaName());
    }

    /** Reports, once each, live instances nobody drives that this node cannot resume; they are left untouched. */
    private void reportUnresumable() {
        Instant now = store.now();
        List<SagaInstance> live = store.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING)
                .limit(1000));
        for (SagaInstance instance : live) {
            boolean orphaned = instance.owner() == null || instance.leaseUntil() == null
                    || instance.leaseUntil().isBefore(now);
            if (!orphaned || node.definitions().fingerprints().contains(instance.fingerprint())) {
                continue;
            }
            if (reported.size() > MAX_REPORTED) {
                reported.clear();
            }
            if (reported.add(instance.id() + "@" + instance.version())) {
                String problem;
                try {
                    node.definitions().resolve(instance, lease.nodeId());
                    problem = "unknown";
                } catch (RuntimeException e) {
                    problem = e.getMessage();
                }
                log.warn("saga instance {} cannot be resumed by node {} and is left untouched: {}", instance.id(),
                        lease.nodeId(), problem);
                node.emit(new HistoryEntry(instance.id(), node.now(), SagaEventType.INSTANCE_NOT_RESUMABLE, null, 0,
                        problem), instance.sagaName());
            }
        }
    }

    private static void cancel(SagaTimer.Scheduled task) {
        if (task != null) {
            task.cancel();
        }
    }

    /** Drives a claimed instance here (or lets the run that drives it already catch up with the claim). */
    void resumeClaimed(SagaInstance instance) {
        SagaRun<?> existing = node.run(instance.id());
        if (existing != null) {
            existing.checkStored(instance);
            return;
        }
        RegisteredSaga<?> saga = node.definitions().lookup(instance);
        if (saga != null) {
            resumeClaimed(saga, instance);
        }
    }

    private <D> void resumeClaimed(RegisteredSaga<D> saga, SagaInstance instance) {
        String inconsistency = InstanceStates.stateProblem(saga.definition(), instance);
        if (inconsistency != null) {
            markFailed(saga, instance, "the stored instance cannot be resumed: " + inconsistency);
            return;
        }
        D data;
        try {
            data = node.decode(saga.definition(), instance);
        } catch (SagaDataException e) {
            markFailed(saga, instance, "saga data cannot be read: " + e.getMessage());
            return;
        }
        SagaRun<D> run = new SagaRun<>(node, saga, instance, data);
        if (node.register(run)) {
            node.execute(() -> run.resume(true));
        }
    }

    /** Marks a claimed instance that cannot be resumed as FAILED, for an operator. */
    private <D> void markFailed(RegisteredSaga<D> saga, SagaInstance instance, String reason) {
        log.error("saga {} ({}) is FAILED and needs an operator: {}", instance.id(), saga.name(), reason);
        try {
            new SagaRun<>(node, saga, instance, null).markFailed(node.errors().clean(reason));
        } catch (RuntimeException e) {
            log.warn("could not mark saga {} as FAILED: {}", instance.id(), e.toString());
        }
    }
}
