package dev.sagaflow.internal;

import dev.sagaflow.DefinitionMismatchException;
import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.MetadataProvider;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator: a facade over the definitions, the store, the runs it drives ({@link SagaRun}), and
 * {@link Recovery}. See {@link SagaOrchestrator} for what it promises.
 */
public final class Orchestrator implements SagaOrchestrator, RunHost {
    private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);
    private static final RetryPolicy STORE_BACKOFF = RetryPolicy.exponential(Duration.ofMillis(100), Integer.MAX_VALUE)
            .withMaxDelay(Duration.ofSeconds(10)).withJitter(0.0);
    private static final RetryPolicy REJECTED_TASK_BACKOFF =
            RetryPolicy.exponential(Duration.ofMillis(10), Integer.MAX_VALUE).withMaxDelay(Duration.ofSeconds(1));

    private final SagaStore store;
    private final SagaCodec codec;
    private final SagaTimer timer;
    private final SystemTimer ownedTimer;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final ExecutorService ownedBackground;
    private final String nodeId;
    private final Duration leaseDuration;
    private final Duration pollInterval;
    private final Duration shutdownTimeout;
    private final Duration timeoutGrace;
    private final int maxDataLength;
    private final ErrorText errors;
    private final List<SagaListener> listeners;
    private final List<StepInterceptor> interceptors;
    private final List<AttemptObserver> attemptObservers;
    private final List<MetadataProvider> metadataProviders;
    private final Definitions definitions;
    private final Recovery recovery;
    private final Starts starts = new Starts(this);
    private final Operations operations = new Operations(this);
    private final ChildSagas children = new ChildSagas(this);
    private final Watches watches = new Watches(this);
    private final Queries queries = new Queries(this);
    private final ConcurrentHashMap<String, SagaRun<?>> active = new ConcurrentHashMap<>();
    /** Instances whose {@code start} call is still writing or registering them (see {@link #isStarting}). */
    private final Set<String> starting = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** When the executor's last rejection was logged (System.nanoTime), so a burst logs one line a minute. */
    private final AtomicLong rejectionLoggedAt = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(2));
    private final Object attemptMonitor = new Object();
    private volatile boolean closed;
    private volatile boolean halted;

    private Orchestrator(OrchestratorConfig config) {
        this.store = config.store();
        this.codec = config.codec();
        this.nodeId = config.nodeId();
        this.leaseDuration = config.leaseDuration();
        this.pollInterval = config.pollInterval();
        this.shutdownTimeout = config.shutdownTimeout();
        this.timeoutGrace = config.timeoutGrace();
        this.maxDataLength = config.maxDataLength();
        this.errors = new ErrorText(config.maxErrorLength(), config.errorRedactor());
        this.listeners = config.listeners();
        this.interceptors = config.interceptors();
        this.attemptObservers = config.attemptObservers();
        this.metadataProviders = config.metadataProviders();
        this.definitions = new Definitions(config.definitions(), store);
        if (config.timer() != null) {
            this.timer = config.timer();
            this.ownedTimer = null;
        } else {
            this.ownedTimer = new SystemTimer();
            this.timer = ownedTimer;
        }
        Executor background;
        if (timer.deterministic()) {
            // A test's manual clock: renew on the thread that moves it, so a test runs the same way every time.
            this.ownedBackground = null;
            background = Runnable::run;
        } else {
            // Lease renewal blocks on the store: never on the timer's thread, never behind queued steps.
            this.ownedBackground = Executors.newSingleThreadExecutor(NamedThreads.factory("sagaflow-lease"));
            background = ownedBackground;
        }
        if (config.executor() != null) {
            this.executor = config.executor();
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0L,
                    TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), NamedThreads.factory("sagaflow-worker"));
            this.executor = ownedExecutor;
        }
        NodeLease lease = new NodeLease(nodeId, UUID.randomUUID().toString(), leaseDuration);
        this.recovery = new Recovery(this, lease, config.pollInterval(), background);
    }

    /** Builds, logs the configuration, registers the node, recovers (if asked) and starts renewal and polling. */
    public static Orchestrator start(OrchestratorConfig config) {
        Orchestrator orchestrator = new Orchestrator(config);
        log.info("Sagaflow orchestrator started: node={} (incarnation {}), store={}, definitions={}, lease={}, poll={},"
                        + " executor={}, timer={}, codec={}, listeners={}, interceptors={}, attemptObservers={},"
                        + " timeoutGrace={}, maxDataLength={}, maxErrorLength={}",
                orchestrator.nodeId, orchestrator.recovery.lease().incarnation(), config.store(),
                orchestrator.definitions.describe(), config.leaseDuration(), config.pollInterval(),
                config.executor() == null ? config.workerThreads() + " worker threads" : config.executor(),
                orchestrator.timer.getClass().getSimpleName(), config.codec(), config.listeners().size(),
                config.interceptors().size(), config.attemptObservers().size(), config.timeoutGrace(),
                config.maxDataLength(), config.maxErrorLength());
        orchestrator.recovery.register();
        if (config.recoverOnStart()) {
            try {
                orchestrator.recovery.recover();
            } catch (RuntimeException e) {
                log.warn("recovery on start-up failed; it is tried again every {}: {}", config.pollInterval(),
                        e.toString());
            }
        }
        orchestrator.recovery.startBackgroundTasks();
        return orchestrator;
    }

    // ---------------------------------------------------------------- starting

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data) {
        return starts.start(definition, data, null, false);
    }

    @Override
    public <D> SagaExecution<D> start(SagaDefinition<D> definition, D data, String idempotencyKey) {
        String name = Checks.notNull(definition, "definition").name();
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("saga '" + name + "': idempotencyKey cannot be null or blank");
        }
        Checks.name(idempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH, "saga '" + name + "': idempotencyKey");
        return starts.start(definition, data, idempotencyKey, false);
    }

    @Override
    public <D> SagaOutcome<D> run(SagaDefinition<D> definition, D data) {
        SagaExecution<D> execution = starts.start(definition, data, null, true);
        try {
            return execution.outcome().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    public <D> void watch(String id, SagaDefinition<D> definition, CompletableFuture<SagaOutcome<D>> outcome) {
        watches.watch(id, definition, outcome);
    }

    // ---------------------------------------------------------------- replies and operators

    @Override
    public void reply(SagaReply reply) {
        operations.reply(reply);
    }

    @Override
    public void abort(String sagaId, String reason, String actor) {
        operations.abort(sagaId, reason, actor);
    }

    @Override
    public SagaExecution<?> retry(String sagaId, String actor) {
        return operations.retry(sagaId, actor);
    }

    public Optional<SagaInfo> find(String sagaId) {
        return queries.find(sagaId);
    }

    public List<SagaInfo> children(String sagaId) {
        return queries.children(sagaId);
    }

    public Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return queries.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    public List<SagaInfo> list(SagaQuery query) {
        return queries.list(query);
    }

    public List<SagaCount> count(SagaQuery query) {
        return queries.count(query);
    }

    public int purgeFinished(Instant finishedBefore) {
        return queries.purgeFinished(finishedBefore);
    }

    // ---------------------------------------------------------------- recovery

    @Override
    public int recover() {
        return recovery.recover();
    }

    /** Another process holds this node id now: stop everything, as if closed, without releasing anything. */
    void fenced() {
        closed = true;
        recovery.stopBackgroundTasks();
        stopRuns("fenced: another process registered node id " + nodeId);
    }

    SagaRun<?> run(String id) {
        return active.get(id);
    }

    /** Registers a run as the one driving its instance here; false if another run does, or the node closed. */
    boolean register(SagaRun<?> run) {
        if (active.putIfAbsent(run.id(), run) != null) {
            return false;
        }
        if (closed) {
            active.remove(run.id(), run);
            run.stop(closedException(run.definition().name(), run.id()));
            return false;
        }
        return true;
    }

    /** Registers a run that just started its instance; returns the run that drives it already, if one does. */
    SagaRun<?> registerStarted(SagaRun<?> run) {
        return active.putIfAbsent(run.id(), run);
    }

    /** A {@code start} call is writing instance {@code id}: no orphan until {@link #markStarted(String)}. */
    void markStarting(String id) {
        starting.add(id);
    }

    void markStarted(String id) {
        starting.remove(id);
    }

    /** Whether a {@code start} call on this node is still writing or registering instance {@code id}. */
    boolean isStarting(String id) {
        return starting.contains(id);
    }

    List<MetadataProvider> metadataProviders() {
        return metadataProviders;
    }

    @SuppressWarnings("unchecked")
    static <D> CompletableFuture<SagaOutcome<D>> outcomeOf(SagaRun<?> run) {
        return (CompletableFuture<SagaOutcome<D>>) (Object) run.outcome();
    }

    <D> SagaOutcome<D> finishedOutcome(SagaDefinition<D> definition, SagaInstance instance) {
        return watches.finished(definition, instance);
    }

    Collection<SagaRun<?>> runs() {
        return active.values();
    }

    Definitions definitions() {
        return definitions;
    }

    Starts starts() {
        return starts;
    }

    Operations operations() {
        return operations;
    }

    @Override
    public ChildSagas children() {
        return children;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    <D> CompletableFuture<SagaOutcome<D>> outcomeOf(RegisteredSaga<D> saga, SagaInstance instance) {
        return watches.outcomeOf(saga, instance);
    }

    SagaTimer timer() {
        return timer;
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean wasFenced = recovery.isFenced();
        closed = true;
        recovery.stopBackgroundTasks();
        awaitAttempts();
        stopRuns("closed");
        if (!wasFenced) {
            try {
                int released = store.releaseLeases(nodeId);
                store.deregisterNode(recovery.lease());
                log.info("Sagaflow orchestrator on node {} closed; released {} lease(s) for other nodes", nodeId,
                        released);
            } catch (RuntimeException e) {
                log.warn("releasing the leases of node {} failed; they expire within {}: {}", nodeId, leaseDuration,
                        e.toString());
            }
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
        recovery.stopBackgroundTasks();
        stopRuns("halted");
        shutdownOwned(true);
        log.info("Sagaflow orchestrator on node {} halted", nodeId);
    }

    /**
     * Waits, up to the shutdown timeout, until no run has an attempt under way. The runs are looked at without
     * holding the monitor (a run calls {@link #attemptFinished()} under its own lock), and the wait is short, so a
     * notification that comes between the look and the wait costs a few milliseconds, never a deadlock.
     */
    private void awaitAttempts() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        while (active.values().stream().anyMatch(SagaRun::hasRunningHandlers)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                for (SagaRun<?> run : active.values()) {
                    if (run.hasRunningHandlers()) {
                        log.warn("saga {} ({}): an attempt still runs after the shutdown timeout of {}; the"
                                + " saga is resumed from the store", run.id(), run.definition().name(),
                                shutdownTimeout);
                    }
                }
                return;
            }
            synchronized (attemptMonitor) {
                try {
                    attemptMonitor.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(remaining))));
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
        watches.stopAll(() -> closedException(null, null, how));
    }

    private void shutdownOwned(boolean now) {
        if (ownedExecutor != null) {
            if (now) {
                ownedExecutor.shutdownNow();
            } else {
                ownedExecutor.shutdown();
            }
        }
        if (ownedBackground != null) {
            ownedBackground.shutdownNow();
        }
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    // ---------------------------------------------------------------- for runs (RunHost)

    @Override
    public SagaStore store() {
        return store;
    }

    @Override
    public SagaCodec codec() {
        return codec;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Duration leaseDuration() {
        return leaseDuration;
    }

    @Override
    public List<StepInterceptor> interceptors() {
        return interceptors;
    }

    @Override
    public List<AttemptObserver> attemptObservers() {
        return attemptObservers;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isHalted() {
        return halted;
    }

    @Override
    public Instant now() {
        return timer.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public Transitions.Env env() {
        return new Transitions.Env(now(), nodeId, codec, () -> ThreadLocalRandom.current().nextDouble());
    }

    @Override
    public boolean leaseHeld() {
        return recovery.leaseHeld();
    }

    @Override
    public long leaseEpoch() {
        return recovery.leaseEpoch();
    }

    @Override
    public void awaitLease(SagaRun<?> run) {
        recovery.awaitLease(run);
    }

    @Override
    public void forget(SagaRun<?> run) {
        active.remove(run.id(), run);
    }

    @Override
    public void attemptFinished() {
        if (closed) {
            synchronized (attemptMonitor) {
                attemptMonitor.notifyAll();
            }
        }
    }

    @Override
    public OrchestratorClosedException closedException(String sagaName, String sagaId) {
        return closedException(sagaName, sagaId, halted ? "halted" : "closed");
    }

    private OrchestratorClosedException closedException(String sagaName, String sagaId, String how) {
        return new OrchestratorClosedException("the orchestrator on node " + nodeId + " was " + how
                + " before the saga finished; it goes on from the store when a node resumes it", sagaName, sagaId);
    }

    @Override
    public Duration timeoutGrace() {
        return timeoutGrace;
    }

    @Override
    public ErrorText errors() {
        return errors;
    }

    @Override
    public int maxDataLength() {
        return Math.min(maxDataLength, store.maxDataLength());
    }

    @Override
    public RetryPolicy storeBackoff() {
        return STORE_BACKOFF;
    }

    @Override
    public void quarantine(SagaInstance instance, String reason) {
        recovery.quarantine(instance, reason);
    }

    @Override
    public SagaTimer.Scheduled later(Duration delay, Runnable task) {
        return timer.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> execute(task));
    }

    /**
     * Runs {@code task} on the executor. A task the executor rejects (a bounded host pool in a burst) is tried
     * again after a short delay, never dropped: it may be a retry, a timeout or the poll that takes over dead
     * nodes' sagas. Only a closed orchestrator drops tasks.
     */
    @Override
    public void execute(Runnable task) {
        execute(task, 1);
    }

    private void execute(Runnable task, int attempt) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("Sagaflow task failed", t);
                }
            });
        } catch (RejectedExecutionException e) {
            if (closed) {
                log.debug("task rejected by the executor after close: {}", e.toString());
                return;
            }
            long logged = rejectionLoggedAt.get();
            long now = System.nanoTime();
            if (now - logged > TimeUnit.MINUTES.toNanos(1) && rejectionLoggedAt.compareAndSet(logged, now)) {
                log.warn("the executor rejected a Sagaflow task; it is tried again shortly, as are the others it"
                        + " rejects (the pool is too small or its queue too short for the sagas it runs): {}",
                        e.toString());
            }
            timer.schedule(REJECTED_TASK_BACKOFF.delayBefore(Math.min(attempt + 1, 20)),
                    () -> execute(task, attempt + 1));
        }
    }

    @Override
    public void emit(HistoryEntry entry, String sagaName) {
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

    @Override
    public Object convert(Object payload, Class<?> type) throws Exception {
        if (payload == null || type.isInstance(payload)) {
            return payload;
        }
        return codec.decode(codec.encode(payload), type);
    }

    // ---------------------------------------------------------------- helpers

    void checkOpen(String sagaName) {
        if (closed) {
            throw new OrchestratorClosedException("the orchestrator on node " + nodeId + " is "
                    + (recovery.isFenced() ? "fenced: another process registered the same node id" : "closed"),
                    sagaName, null);
        }
    }

    /** Refuses to act on a stored instance whose steps do not fit its definition. */
    static void requireConsistent(SagaDefinition<?> definition, SagaInstance instance) {
        String problem = InstanceStates.stateProblem(definition, instance);
        if (problem != null) {
            throw new DefinitionMismatchException("the stored instance cannot be resumed: " + problem,
                    definition.name(), instance.id());
        }
    }

    <D> D decode(SagaDefinition<D> definition, SagaInstance instance) {
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
}
