package dev.sagaflow.internal;

import dev.sagaflow.DefinitionMismatchException;
import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.TransactionalSagaStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The orchestrator. See {@link SagaOrchestrator} for what it promises. */
public final class Orchestrator implements SagaOrchestrator {
    static final String MDC_SAGA_ID = "sagaId";
    static final String MDC_SAGA_NAME = "sagaName";
    static final String MDC_STEP = "sagaStep";
    private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);
    private static final int CLAIM_BATCH = 100;
    private static final int MAX_REPORTED = 10_000;

    private final SagaStore store;
    private final SagaCodec codec;
    private final SagaTimer timer;
    private final SystemTimer ownedTimer;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final String nodeId;
    private final Duration leaseDuration;
    private final Duration pollInterval;
    private final Duration shutdownTimeout;
    private final List<SagaListener> listeners;
    private final List<StepInterceptor> interceptors;
    private final List<AttemptObserver> attemptObservers;
    private final Map<String, SagaDefinition<?>> definitions = new HashMap<>();
    /**
     * The registered definition objects themselves, for start() to find them without building a key, each
     * with its steps' PENDING states (immutable, so every new instance shares them).
     */
    private final Map<SagaDefinition<?>, StepState[]> registeredObjects = new IdentityHashMap<>();
    /** The last lease expiry computed, for the many writes within one millisecond; see leaseUntil. */
    private LeaseReading lastLease;
    private final Set<String> fingerprints = new HashSet<>();
    private final ConcurrentHashMap<String, SagaRun<?>> active = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<?>> watched = ConcurrentHashMap.newKeySet();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ownInstancesClaimed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Object attemptMonitor = new Object();
    private volatile boolean closed;
    private volatile boolean halted;
    private volatile SagaTimer.Scheduled renewTask;
    private volatile SagaTimer.Scheduled pollTask;

    private Orchestrator(OrchestratorConfig config) {
        this.store = config.store();
        this.codec = config.codec();
        this.nodeId = config.nodeId();
        this.leaseDuration = config.leaseDuration();
        this.pollInterval = config.pollInterval();
        this.shutdownTimeout = config.shutdownTimeout();
        this.listeners = config.listeners();
        this.interceptors = config.interceptors();
        this.attemptObservers = config.attemptObservers();
        for (SagaDefinition<?> definition : config.definitions()) {
            SagaDefinition<?> previous = definitions.putIfAbsent(key(definition.name(), definition.version()), definition);
            if (previous != null && previous != definition) {
                throw new IllegalArgumentException("two definitions of saga '" + definition.name() + "' version "
                        + definition.version() + " are registered; bump the version of the newer one");
            }
            registeredObjects.put(definition, pendingSteps(definition));
            fingerprints.add(definition.fingerprint());
            requireTransactionsForLocalSteps(definition);
        }
        if (config.timer() != null) {
            this.timer = config.timer();
            this.ownedTimer = null;
        } else {
            this.ownedTimer = new SystemTimer();
            this.timer = ownedTimer;
        }
        if (config.executor() != null) {
            this.executor = config.executor();
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0L,
                    TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), NamedThreads.factory("sagaflow-worker"));
            this.executor = ownedExecutor;
        }
    }

    private void requireTransactionsForLocalSteps(SagaDefinition<?> definition) {
        for (var step : definition.steps()) {
            if (step.isLocal() && !(store instanceof TransactionalSagaStore)) {
                throw new IllegalArgumentException("saga '" + definition.name() + "' step '" + step.name()
                        + "' is local(), which needs a store with transactions (the JDBC store); "
                        + store.getClass().getSimpleName() + " has none");
            }
        }
    }

    /** Builds, logs the configuration, recovers (if asked) and starts lease renewal and polling. */
    public static Orchestrator start(OrchestratorConfig config) {
        Orchestrator orchestrator = new Orchestrator(config);
        log.info("Sagaflow orchestrator started: node={}, store={}, definitions={}, lease={}, poll={}, "
                        + "executor={}, timer={}, codec={}, listeners={}, interceptors={}, attemptObservers={}",
                orchestrator.nodeId, config.store().getClass().getSimpleName(), orchestrator.describeDefinitions(),
                config.leaseDuration(), config.pollInterval(),
                config.executor() == null ? config.workerThreads() + " worker threads" : config.executor(),
                orchestrator.timer.getClass().getSimpleName(), config.codec(), config.listeners().size(),
                config.interceptors().size(), config.attemptObservers().size());
        orchestrator.releaseInheritedLeases();
        if (config.recoverOnStart()) {
            try {
                orchestrator.recover();
            } catch (RuntimeException e) {
                log.warn("recovery on start-up failed; it is tried again every {}: {}", config.pollInterval(), e.toString());
            }
        }
        orchestrator.scheduleRenewal();
        orchestrator.schedulePoll();
        return orchestrator;
    }

    /**
     * A node restarted under the same id inherits its predecessor's leases, and lease renewal would
     * extend all of them, although this node drives none of them yet. Released first, they are
     * claimed back at once if this node can resume them; those it cannot (their definition is no
     * longer registered) become orphaned, so they are reported and another node may take them,
     * instead of being held forever by a node that never drives them.
     */
    /**
     * Nothing runs here yet: what this node id owns was left by a previous process. Let go of it first,
     * or the instances this node cannot resume (a definition dropped or changed since) would keep their
     * lease, renewed here forever, and be neither reported nor taken over by a node that has their
     * definition. Recovery then claims back everything this node can resume.
     */
    private void releaseInheritedLeases() {
        try {
            int released = store.releaseLeases(nodeId);
            if (released > 0) {
                log.info("released {} lease(s) held under node id {} before this start", released, nodeId);
            }
        } catch (RuntimeException e) {
            log.warn("releasing the leases held under node id {} before this start failed: {}", nodeId, e.toString());
        }
    }

    // ---------------------------------------------------------------- starting

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data) {
        return start(definition, data, null, false);
    }

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("saga '" + Checks.notNull(definition, "definition").name()
                    + "': idempotencyKey cannot be null or blank");
        }
        return start(definition, data, idempotencyKey, false);
    }

    @Override
    public <D> SagaOutcome<D> run(SagaDefinition<D> definition, D data) {
        SagaExecution<D> execution = start(definition, data, null, true);
        try {
            return execution.outcome().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    private <D> SagaExecution<D> start(SagaDefinition<D> given, D data, String idempotencyKey, boolean inline) {
        Checks.notNull(given, "definition");
        checkOpen(given.name());
        // The registered definition's handlers run, as they will on recovery; the given one only names it.
        SagaDefinition<D> definition = registered(given);
        if (data == null) {
            throw new IllegalArgumentException("saga '" + definition.name() + "': data cannot be null");
        }
        if (idempotencyKey != null) {
            Optional<SagaInstance> existing = store.findByIdempotencyKey(definition.name(), idempotencyKey);
            if (existing.isPresent()) {
                return existingExecution(definition, existing.get());
            }
        }
        Instant now = now();
        String id = newId();
        SagaInstance instance = firstInstance(definition, id, data, idempotencyKey, now);
        HistoryEntry started = new HistoryEntry(id, now, SagaEventType.SAGA_STARTED, null, 0, null);
        boolean inserted;
        try {
            inserted = store.insert(instance, List.of(started));
        } catch (SagaDataException e) {
            throw new SagaDataException("saga data cannot be stored: " + e.getMessage(), definition.name(), id,
                    e.getCause());
        }
        if (!inserted) {
            SagaInstance existing = store.findByIdempotencyKey(definition.name(), idempotencyKey)
                    .orElseThrow(() -> new SagaStoreException("the store refused a new instance of saga '"
                            + definition.name() + "' with idempotency key '" + idempotencyKey
                            + "' but holds none with that key", id, null));
            return existingExecution(definition, existing);
        }
        SagaRun<D> run = new SagaRun<>(this, definition, instance, data);
        SagaRun<?> claimedMeanwhile = active.putIfAbsent(id, run);
        emit(started, definition.name());
        if (claimedMeanwhile != null) {
            // A recovery pass that takes this node's own instances claimed it since the insert and drives it.
            @SuppressWarnings("unchecked")
            CompletableFuture<SagaOutcome<D>> outcome =
                    (CompletableFuture<SagaOutcome<D>>) (Object) claimedMeanwhile.outcome();
            return new SagaExecution<>(id, false, outcome);
        }
        log.debug("saga {} ({}) started", id, definition.name());
        if (inline) {
            run.resume(false);
        } else {
            execute(() -> run.resume(false));
        }
        return new SagaExecution<>(id, false, run.outcome());
    }

    private <D> SagaInstance firstInstance(SagaDefinition<D> definition, String id, D data, String key, Instant now) {
        StepState[] pending = registeredObjects.get(definition);
        StepState[] steps = pending != null ? pending.clone() : pendingSteps(definition);
        steps[0] = steps[0].with(StepStatus.RUNNING, 1, 0, false, now, null, null, null);
        Instant deadline = definition.timeout().map(now::plus).orElse(null);
        return new SagaInstance(id, definition.name(), definition.version(), definition.fingerprint(), key,
                SagaStatus.RUNNING, SagaData.ofValue(data, codec), List.of(steps), now, now, deadline, nodeId,
                leaseUntil(now), 1, null);
    }

    @SuppressWarnings("unchecked")
    private <D> SagaExecution<D> existingExecution(SagaDefinition<D> definition, SagaInstance existing) {
        SagaRun<?> run = active.get(existing.id());
        if (run != null) {
            return new SagaExecution<>(existing.id(), true, (CompletableFuture<SagaOutcome<D>>) (Object) run.outcome());
        }
        CompletableFuture<SagaOutcome<D>> outcome = new CompletableFuture<>();
        if (existing.status().isLive()) {
            watch(existing.id(), definition, outcome);
        } else {
            outcome.complete(outcomeOf(definition, existing));
        }
        return new SagaExecution<>(existing.id(), true, outcome);
    }

    private <D> SagaOutcome<D> outcomeOf(SagaDefinition<D> definition, SagaInstance instance) {
        D data = decode(definition, instance);
        return new SagaOutcome<>(instance.id(), definition.name(), instance.status(), data, instance.error());
    }

    /** Completes {@code outcome} when another node (or an operator) has finished the instance. */
    <D> void watch(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome) {
        watched.add(outcome);
        outcome.whenComplete((result, error) -> watched.remove(outcome));
        later(pollInterval, () -> poll(id, definition, outcome));
    }

    private <D> void poll(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome) {
        if (outcome.isDone() || closed) {
            return;
        }
        try {
            SagaInstance instance = store.find(id).orElse(null);
            if (instance == null) {
                outcome.completeExceptionally(new UnknownSagaException("saga instance disappeared from the store",
                        definition.name(), id));
                return;
            }
            if (!instance.status().isLive()) {
                outcome.complete(outcomeOf(definition, instance));
                return;
            }
            if (nodeId.equals(instance.owner()) && !active.containsKey(id)) {
                // This node's own recovery claimed it from under a run here that then lost its next write
                // (its lease had run out during an outage or a pause). Nobody else will take it, since this
                // node renews every lease it owns: drive it from the claimed state.
                log.info("saga {} is owned by node {} but no longer driven here; resuming it", id, nodeId);
                resumeClaimed(instance);
            }
        } catch (RuntimeException e) {
            log.debug("watching saga {} failed, trying again: {}", id, e.toString());
        }
        later(pollInterval, () -> poll(id, definition, outcome));
    }

    // ---------------------------------------------------------------- replies and operators

    @Override
    public void reply(SagaReply reply) {
        Checks.notNull(reply, "reply");
        checkOpen(null);
        for (int tries = 0; tries < 5; tries++) {
            SagaRun<?> run = active.get(reply.sagaId());
            boolean adopted = run == null;
            if (adopted) {
                run = adoptForReply(reply);
            }
            if (run == null) {
                continue;
            }
            CompletableFuture<Void> recorded = run.onReply(reply);
            try {
                recorded.join();
                return;
            } catch (CompletionException e) {
                if (adopted) {
                    // Taken over for this reply, which then lost a race: drive it from its stored state.
                    SagaRun<?> idle = run;
                    execute(() -> idle.resume(false));
                }
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
        throw new SagaStoreException("the reply for step '" + reply.step() + "' could not be delivered: the instance"
                + " kept changing under it; deliver it again", reply.sagaId(), null);
    }

    private SagaRun<?> adoptForReply(SagaReply reply) {
        SagaInstance instance = store.find(reply.sagaId()).orElse(null);
        if (instance == null) {
            throw new ReplyRejectedException("reply rejected: there is no such saga instance", null, reply.sagaId(),
                    reply.step());
        }
        SagaDefinition<?> definition = resolve(instance);
        requireConsistent(definition, instance);
        String problem = SagaRun.replyProblem(definition, instance, reply);
        if (problem != null) {
            emit(new HistoryEntry(instance.id(), now(), SagaEventType.REPLY_REJECTED, reply.step(), 0, problem),
                    definition.name());
            throw new ReplyRejectedException("reply rejected: " + problem, definition.name(), instance.id(),
                    reply.step());
        }
        return adopt(definition, instance);
    }

    /** Takes over a live instance that another node (or none) drives, to act on it here; null if the race was lost. */
    private <D> SagaRun<D> adopt(SagaDefinition<D> definition, SagaInstance instance) {
        requireConsistent(definition, instance);
        D data = decode(definition, instance);
        Instant now = now();
        SagaInstance claimed = instance.claimedBy(nodeId, leaseUntil(now), now);
        if (!store.update(instance.version(), claimed, List.of())) {
            return null;
        }
        SagaRun<D> run = new SagaRun<>(this, definition, claimed, data);
        SagaRun<?> previous = active.putIfAbsent(claimed.id(), run);
        if (previous != null) {
            return null;
        }
        return run;
    }

    @Override
    public void abort(String sagaId, String reason) {
        Checks.notBlank(sagaId, "sagaId");
        String why = reason == null || reason.isBlank() ? "aborted by an operator" : reason;
        checkOpen(null);
        for (int tries = 0; tries < 5; tries++) {
            SagaRun<?> run = active.get(sagaId);
            if (run == null) {
                SagaInstance instance = store.find(sagaId)
                        .orElseThrow(() -> new UnknownSagaException("no such saga instance", null, sagaId));
                SagaDefinition<?> definition = resolve(instance);
                requireConsistent(definition, instance);
                String problem = SagaRun.abortProblem(definition, instance);
                if (problem != null) {
                    throw new IllegalTransitionException("cannot abort: " + problem, definition.name(), sagaId, null);
                }
                run = adopt(definition, instance);
                if (run != null) {
                    abortAdopted(run, why);
                    return;
                }
                continue;
            }
            run.abort(why);
            return;
        }
        throw new SagaStoreException("could not abort: the instance kept changing; try again", sagaId, null);
    }

    private static void abortAdopted(SagaRun<?> run, String reason) {
        try {
            run.abort(reason);
        } catch (RuntimeException e) {
            run.resume(false);
            throw e;
        }
    }

    @Override
    public SagaExecution<?> retry(String sagaId) {
        Checks.notBlank(sagaId, "sagaId");
        checkOpen(null);
        SagaInstance instance = store.find(sagaId)
                .orElseThrow(() -> new UnknownSagaException("no such saga instance", null, sagaId));
        return retry(resolve(instance), instance);
    }

    private <D> SagaExecution<D> retry(SagaDefinition<D> definition, SagaInstance instance) {
        if (instance.status() != SagaStatus.FAILED) {
            throw new IllegalTransitionException("cannot retry: the saga is " + instance.status()
                    + "; only a FAILED saga can be retried (FAILED -> RUNNING or COMPENSATING)", definition.name(),
                    instance.id(), null);
        }
        requireConsistent(definition, instance);
        D data = decode(definition, instance);
        Instant now = now();
        List<StepState> steps = new ArrayList<>(instance.steps());
        SagaStatus status = null;
        boolean rerun = false;
        for (int i = 0; i < steps.size() && status == null; i++) {
            StepState step = steps.get(i);
            if (step.status() == StepStatus.COMPENSATING) {
                steps.set(i, step.with(StepStatus.COMPENSATING, step.attempts(), 1, step.mayHaveTakenEffect(),
                        step.startedAt(), step.endedAt(), null, step.error()));
                status = SagaStatus.COMPENSATING;
            } else if (step.status() == StepStatus.RUNNING || step.status() == StepStatus.AWAITING_REPLY) {
                status = SagaStatus.RUNNING;
                rerun = true;
            }
        }
        for (int i = steps.size() - 1; i > definition.pivotIndex() && status == null && definition.pivotIndex() >= 0; i--) {
            StepState step = steps.get(i);
            if (step.status() == StepStatus.FAILED) {
                steps.set(i, step.with(StepStatus.RUNNING, 1, 0, step.mayHaveTakenEffect(), step.startedAt(), null,
                        null, step.error()));
                status = SagaStatus.RUNNING;
            }
        }
        if (status == null) {
            throw new IllegalTransitionException("cannot retry: no stuck step found in " + steps, definition.name(),
                    instance.id(), null);
        }
        SagaInstance retried = new SagaInstance(instance.id(), instance.sagaName(), instance.sagaVersion(),
                instance.fingerprint(), instance.idempotencyKey(), status, SagaData.ofValue(data, codec), steps,
                instance.createdAt(), now, instance.deadline(), nodeId, leaseUntil(now), instance.version() + 1,
                instance.error());
        HistoryEntry entry = new HistoryEntry(instance.id(), now, SagaEventType.SAGA_RETRIED, null, 0, null);
        if (!store.update(instance.version(), retried, List.of(entry))) {
            throw new IllegalTransitionException("cannot retry: the saga was changed concurrently; look again",
                    definition.name(), instance.id(), null);
        }
        SagaRun<D> run = new SagaRun<>(this, definition, retried, data);
        active.put(instance.id(), run);
        emit(entry, definition.name());
        boolean recovered = rerun;
        execute(() -> run.resume(recovered));
        return new SagaExecution<>(instance.id(), false, run.outcome());
    }

    @Override
    public Optional<SagaInfo> find(String sagaId) {
        Checks.notBlank(sagaId, "sagaId");
        return store.find(sagaId).map(instance -> info(instance, store.history(sagaId)));
    }

    @Override
    public Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        Checks.notBlank(sagaName, "sagaName");
        Checks.notBlank(idempotencyKey, "idempotencyKey");
        return store.findByIdempotencyKey(sagaName, idempotencyKey)
                .map(instance -> info(instance, store.history(instance.id())));
    }

    @Override
    public List<SagaInfo> list(SagaQuery query) {
        Checks.notNull(query, "query");
        return store.query(query).stream().map(instance -> info(instance, List.of())).toList();
    }

    private SagaInfo info(SagaInstance instance, List<HistoryEntry> history) {
        Object data = null;
        SagaDefinition<?> definition = definitions.get(key(instance.sagaName(), instance.sagaVersion()));
        if (definition != null && definition.fingerprint().equals(instance.fingerprint())) {
            try {
                data = instance.data().decode(definition.dataType(), codec);
            } catch (SagaDataException e) {
                log.debug("data of saga {} cannot be read: {}", instance.id(), e.getMessage());
            }
        }
        return new SagaInfo(instance.id(), instance.sagaName(), instance.sagaVersion(), instance.status(), data,
                instance.data().json(), instance.steps(), history, instance.createdAt(), instance.updatedAt(),
                instance.owner(), instance.error());
    }

    // ---------------------------------------------------------------- recovery and leases

    @Override
    public int recover() {
        if (closed) {
            return 0;
        }
        // Until a pass has succeeded, instances this node id owned in a previous process are claimed whatever
        // their lease says (this node renews them, so they would never expire); if the first pass fails,
        // because the store is down at start-up, the next one tries again.
        boolean includeOwn = !ownInstancesClaimed.get();
        int total = 0;
        if (!fingerprints.isEmpty()) {
            for (int batch = 0; batch < 100; batch++) {
                Instant now = now();
                List<SagaInstance> claimed = store.claim(new ClaimRequest(nodeId, now, leaseUntil(now), fingerprints,
                        includeOwn, CLAIM_BATCH));
                for (SagaInstance instance : claimed) {
                    resumeClaimed(instance);
                }
                total += claimed.size();
                if (claimed.size() < CLAIM_BATCH) {
                    break;
                }
            }
        }
        if (includeOwn) {
            ownInstancesClaimed.set(true);
        }
        if (total > 0) {
            log.info("claimed {} saga instance(s) to resume", total);
        }
        reportUnresumable();
        return total;
    }

    private void resumeClaimed(SagaInstance instance) {
        SagaRun<?> existing = active.get(instance.id());
        if (existing != null) {
            if (!existing.refreshClaim(instance)) {
                log.info("saga {} was claimed by node {} while a run here held an older version; that run stops at"
                        + " its next write and the instance is resumed from the claimed state", instance.id(), nodeId);
            }
            return;
        }
        SagaDefinition<?> definition = definitions.get(key(instance.sagaName(), instance.sagaVersion()));
        resumeClaimed(definition, instance);
    }

    private <D> void resumeClaimed(SagaDefinition<D> definition, SagaInstance instance) {
        String inconsistency = SagaRun.stateProblem(definition, instance);
        if (inconsistency != null) {
            markFailed(definition, instance, "the stored instance cannot be resumed: " + inconsistency);
            return;
        }
        D data;
        try {
            data = decode(definition, instance);
        } catch (SagaDataException e) {
            markFailed(definition, instance, "saga data cannot be read: " + e.getMessage());
            return;
        }
        SagaRun<D> run = new SagaRun<>(this, definition, instance, data);
        if (active.putIfAbsent(instance.id(), run) == null) {
            execute(() -> run.resume(true));
        }
    }

    /** Marks a claimed instance that cannot be resumed as FAILED, for an operator. */
    private void markFailed(SagaDefinition<?> definition, SagaInstance instance, String reason) {
        Instant now = now();
        SagaInstance failed = new SagaInstance(instance.id(), instance.sagaName(), instance.sagaVersion(),
                instance.fingerprint(), instance.idempotencyKey(), SagaStatus.FAILED, instance.data(), instance.steps(),
                instance.createdAt(), now, instance.deadline(), null, null, instance.version() + 1, reason);
        HistoryEntry entry = new HistoryEntry(instance.id(), now, SagaEventType.SAGA_FAILED, null, 0, reason);
        log.error("saga {} ({}) is FAILED and needs an operator: {}", instance.id(), definition.name(), reason);
        try {
            if (store.update(instance.version(), failed, List.of(entry))) {
                emit(entry, definition.name());
            }
        } catch (RuntimeException e) {
            log.warn("could not mark saga {} as FAILED: {}", instance.id(), e.toString());
        }
    }

    /** Reports, once each, live instances nobody drives that this node cannot resume; they are left untouched. */
    private void reportUnresumable() {
        Instant now = now();
        List<SagaInstance> live = store.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING)
                .limit(1000));
        for (SagaInstance instance : live) {
            boolean orphaned = instance.owner() == null || instance.leaseUntil() == null
                    || instance.leaseUntil().isBefore(now);
            if (!orphaned || fingerprints.contains(instance.fingerprint())) {
                continue;
            }
            if (reported.size() > MAX_REPORTED) {
                reported.clear();
            }
            if (reported.add(instance.id() + "@" + instance.version())) {
                String problem;
                try {
                    resolve(instance);
                    problem = "unknown";
                } catch (RuntimeException e) {
                    problem = e.getMessage();
                }
                log.warn("saga instance {} cannot be resumed by node {} and is left untouched: {}", instance.id(),
                        nodeId, problem);
                emit(new HistoryEntry(instance.id(), now, SagaEventType.INSTANCE_NOT_RESUMABLE, null, 0, problem),
                        instance.sagaName());
            }
        }
    }

    /**
     * Renews this node's leases every third of the lease. The renewal runs on the timer itself, not
     * on the executor: queued behind step work on a busy pool it could come too late, and a healthy
     * node would lose its sagas to another node. It is one short statement.
     */
    private void scheduleRenewal() {
        if (closed) {
            return;
        }
        // Runs on the timer's thread, not on the executor: queued behind a backlog of steps, the renewal
        // would come after the lease ran out, and other nodes would claim instances this node still drives.
        renewTask = timer.schedule(leaseDuration.dividedBy(3), () -> {
            if (closed) {
                return;
            }
            try {
                int renewed = store.renewLeases(nodeId, leaseUntil(now()));
                log.debug("renewed {} lease(s)", renewed);
            } catch (RuntimeException e) {
                log.warn("renewing the leases of node {} failed: {}", nodeId, e.toString());
            }
            scheduleRenewal();
        });
    }

    private void schedulePoll() {
        if (closed) {
            return;
        }
        pollTask = later(pollInterval, () -> {
            try {
                recover();
            } catch (RuntimeException e) {
                log.warn("looking for instances to resume failed: {}", e.toString());
            }
            schedulePoll();
        });
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        cancelBackgroundTasks();
        awaitAttempts();
        stopRuns("closed");
        try {
            int released = store.releaseLeases(nodeId);
            log.info("Sagaflow orchestrator on node {} closed; released {} lease(s) for other nodes", nodeId, released);
        } catch (RuntimeException e) {
            log.warn("releasing the leases of node {} failed; they expire within {}: {}", nodeId, leaseDuration,
                    e.toString());
        }
        shutdownOwned(false);
    }

    /**
     * Stops at once, as if the process had died: nothing more is written, no lease is released,
     * attempts still running are ignored. For tests of crash recovery (see the test kit).
     */
    public void halt() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        halted = true;
        closed = true;
        cancelBackgroundTasks();
        stopRuns("halted");
        shutdownOwned(true);
        log.info("Sagaflow orchestrator on node {} halted", nodeId);
    }

    private void cancelBackgroundTasks() {
        SagaTimer.Scheduled renew = renewTask;
        SagaTimer.Scheduled poll = pollTask;
        if (renew != null) {
            renew.cancel();
        }
        if (poll != null) {
            poll.cancel();
        }
    }

    private void awaitAttempts() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        synchronized (attemptMonitor) {
            while (active.values().stream().anyMatch(SagaRun::isAttemptInFlight)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    log.warn("attempts still running after {}; they will be resumed from the store", shutdownTimeout);
                    return;
                }
                try {
                    attemptMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void stopRuns(String how) {
        for (SagaRun<?> run : active.values()) {
            run.stop(closedException(run.definition().name(), run.id(), how));
        }
        active.clear();
        for (CompletableFuture<?> outcome : watched) {
            outcome.completeExceptionally(closedException(null, null, how));
        }
    }

    private void shutdownOwned(boolean now) {
        if (ownedExecutor != null) {
            if (now) {
                ownedExecutor.shutdownNow();
            } else {
                ownedExecutor.shutdown();
            }
        }
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    // ---------------------------------------------------------------- for SagaRun

    SagaStore store() {
        return store;
    }

    SagaCodec codec() {
        return codec;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    List<StepInterceptor> interceptors() {
        return interceptors;
    }

    List<AttemptObserver> attemptObservers() {
        return attemptObservers;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isHalted() {
        return halted;
    }

    Instant now() {
        return timer.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * {@code now} plus the lease duration. The last result is kept and reused for the same {@code now}
     * (one clock reading serves many writes); read and written without a lock, as the reading is immutable.
     */
    Instant leaseUntil(Instant now) {
        LeaseReading last = lastLease;
        if (last != null && last.now.equals(now)) {
            return last.until;
        }
        Instant until = now.plus(leaseDuration);
        lastLease = new LeaseReading(now, until);
        return until;
    }

    void forget(SagaRun<?> run) {
        active.remove(run.id(), run);
    }

    void attemptFinished() {
        if (closed) {
            synchronized (attemptMonitor) {
                attemptMonitor.notifyAll();
            }
        }
    }

    OrchestratorClosedException closedException(String sagaName, String sagaId) {
        return closedException(sagaName, sagaId, halted ? "halted" : "closed");
    }

    private OrchestratorClosedException closedException(String sagaName, String sagaId, String how) {
        return new OrchestratorClosedException("the orchestrator on node " + nodeId + " was " + how
                + " before the saga finished; it goes on from the store when a node resumes it", sagaName, sagaId);
    }

    /** Runs {@code task} on the executor after {@code delay}. */
    SagaTimer.Scheduled later(Duration delay, Runnable task) {
        return timer.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> execute(task));
    }

    void execute(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("Sagaflow task failed", t);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("task rejected by the executor (shutting down?): {}", e.toString());
        }
    }

    void emit(HistoryEntry entry, String sagaName) {
        if (listeners.isEmpty()) {
            return;
        }
        SagaEvent event = new SagaEvent(entry.type(), entry.sagaId(), sagaName, entry.step(), entry.attempt(),
                entry.at(), entry.detail());
        for (SagaListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (Throwable t) {
                log.warn("listener {} threw on {} of saga {}; ignored", listener, event.type(), event.sagaId(), t);
            }
        }
    }

    Object convert(Object payload, Class<?> type) throws Exception {
        if (payload == null || type.isInstance(payload)) {
            return payload;
        }
        return codec.decode(codec.encode(payload), type);
    }

    // ---------------------------------------------------------------- definitions

    private void checkOpen(String sagaName) {
        if (closed) {
            throw new OrchestratorClosedException("the orchestrator on node " + nodeId + " is closed", sagaName, null);
        }
    }

    @SuppressWarnings("unchecked")
    private <D> SagaDefinition<D> registered(SagaDefinition<D> definition) {
        if (registeredObjects.containsKey(definition)) {
            return definition;
        }
        SagaDefinition<?> registered = definitions.get(key(definition.name(), definition.version()));
        if (registered == null) {
            throw new UnknownSagaException("saga '" + definition.name() + "' version " + definition.version()
                    + " is not registered; register it with SagaOrchestrator.builder(store).register(...); registered: "
                    + describeDefinitions(), definition.name(), null);
        }
        if (!registered.fingerprint().equals(definition.fingerprint())) {
            throw new DefinitionMismatchException("another definition of saga '" + definition.name() + "' version "
                    + definition.version() + " is registered, with steps " + registered.stepNames() + " instead of "
                    + definition.stepNames() + "; bump the version of the changed one", definition.name(), null);
        }
        return (SagaDefinition<D>) registered;
    }

    /** The registered definition that can resume {@code instance}, or an exception that says why none can. */
    private SagaDefinition<?> resolve(SagaInstance instance) {
        SagaDefinition<?> definition = definitions.get(key(instance.sagaName(), instance.sagaVersion()));
        if (definition == null) {
            throw new UnknownSagaException("saga '" + instance.sagaName() + "' version " + instance.sagaVersion()
                    + " is not registered on node " + nodeId + "; registered: " + describeDefinitions(),
                    instance.sagaName(), instance.id());
        }
        if (!definition.fingerprint().equals(instance.fingerprint())) {
            List<String> storedSteps = instance.steps().stream().map(StepState::name).toList();
            throw new DefinitionMismatchException("the instance was started by saga '" + instance.sagaName()
                    + "' version " + instance.sagaVersion() + " with steps " + storedSteps + " (fingerprint "
                    + instance.fingerprint() + "), but the registered definition of that name and version has steps "
                    + definition.stepNames() + " (fingerprint " + definition.fingerprint() + "); register the original"
                    + " definition to resume it, and give changed steps a new version", instance.sagaName(),
                    instance.id());
        }
        return definition;
    }

    /** Refuses to act on a stored instance whose steps do not fit its definition. */
    private static void requireConsistent(SagaDefinition<?> definition, SagaInstance instance) {
        String problem = SagaRun.stateProblem(definition, instance);
        if (problem != null) {
            throw new DefinitionMismatchException("the stored instance cannot be resumed: " + problem,
                    definition.name(), instance.id());
        }
    }

    private <D> D decode(SagaDefinition<D> definition, SagaInstance instance) {
        D data;
        try {
            data = instance.data().decode(definition.dataType(), codec);
        } catch (SagaDataException e) {
            throw new SagaDataException(e.getMessage(), definition.name(), instance.id(), e.getCause());
        }
        if (data == null) {
            // JSON "null" decodes to null, which no handler expects (and which start() refuses).
            throw new SagaDataException("stored saga data is null, not a " + definition.dataType().getName(),
                    definition.name(), instance.id(), null);
        }
        return data;
    }

    private String describeDefinitions() {
        return definitions.values().stream().map(d -> d.name() + " v" + d.version()).sorted().toList().toString();
    }

    /**
     * A random (version 4) UUID from the thread's own generator: unique for all practical purposes,
     * and unlike {@code UUID.randomUUID()} it takes no lock shared by every starting thread. Ids are
     * not secrets; hosts authenticate whoever delivers replies.
     */
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    private static String key(String name, int version) {
        return name + "@" + version;
    }

    private static StepState[] pendingSteps(SagaDefinition<?> definition) {
        StepState[] steps = new StepState[definition.steps().size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = StepState.pending(definition.steps().get(i).name());
        }
        return steps;
    }

    /** A clock reading and the lease expiry computed from it. */
    private record LeaseReading(Instant now, Instant until) {
    }
}
