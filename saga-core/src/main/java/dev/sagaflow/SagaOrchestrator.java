package dev.sagaflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.internal.JacksonCodec;
import dev.sagaflow.internal.Orchestrator;
import dev.sagaflow.internal.OrchestratorConfig;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.MetadataProvider;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * Runs saga instances: starts them, executes their steps, waits for replies, retries, times out,
 * compensates, persists every transition to its {@link SagaStore}, and resumes, on start-up and
 * periodically, the live instances that no node drives. Thread-safe. Build one with
 * {@link #builder(SagaStore)}; it is running when built, and stops with {@link #close()}.
 */
public interface SagaOrchestrator extends AutoCloseable {
    /** The longest idempotency key, in characters: what every store keeps. */
    int MAX_IDEMPOTENCY_KEY_LENGTH = 500;
    /** The longest node id, in characters: what every store keeps. */
    int MAX_NODE_ID_LENGTH = 200;
    /** The default of {@link Builder#maxDataLength(int)}: ten million characters of JSON. */
    int DEFAULT_MAX_DATA_LENGTH = 10_000_000;
    /** The default of {@link Builder#maxErrorLength(int)}: 8 KiB characters. */
    int DEFAULT_MAX_ERROR_LENGTH = 8 * 1024;

    /**
     * Starts an instance. The instance is written to the store (its first step marked RUNNING) before
     * this returns; the steps then run on the executor. The handlers that run are those of the
     * definition registered under the same name and version (the one recovery would use), which
     * must have the same steps as {@code definition}.
     *
     * <p>The data is encoded, checked against {@link Builder#maxDataLength(int)} and the store's own limit, and
     * read back before anything is written, so data that starts can always be resumed.
     *
     * @throws UnknownSagaException if the definition is not registered with this orchestrator
     * @throws DefinitionMismatchException if another definition with the same name and version, but other
     *     steps, is registered
     * @throws SagaDataException if the data cannot be serialised and read back, or is too long
     * @throws SagaStoreException if the store failed; when {@link SagaStoreException#outcomeUnknown()} the
     *     instance (its id is {@link SagaStoreException#sagaId()}) may have been recorded, and then it runs:
     *     look it up, or start again with the same idempotency key
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    <D> SagaExecution<D> start(SagaDefinition<D> definition, D data);

    /**
     * Starts an instance unless one of the same saga was already started with {@code idempotencyKey};
     * then returns that one ({@link SagaExecution#alreadyStarted()} is {@code true}) and starts nothing.
     * Otherwise as {@link #start(SagaDefinition, Object)}.
     *
     * @throws IllegalArgumentException if the key is blank, longer than {@value #MAX_IDEMPOTENCY_KEY_LENGTH}
     *     characters, or holds U+0000
     */
    <D> SagaExecution<D> start(SagaDefinition<D> definition, D data, String idempotencyKey);

    /**
     * Starts an instance and waits until it is COMPLETED, COMPENSATED or FAILED. Its synchronous steps
     * run on the calling thread.
     */
    <D> SagaOutcome<D> run(SagaDefinition<D> definition, D data);

    /**
     * Delivers a participant's reply to an awaiting step, whichever node drives the instance. Returns once the
     * reply is durable in the store: applied (the step succeeded or failed on it), or recorded for the instance's
     * owner to apply when the step's action returns (or when a node resumes the instance after a crash). It never
     * waits for a running action, so it may be called from the action's own thread or a broker's consumer thread;
     * a broker message may be acknowledged once it returns. Delivering the same reply again is safe: it is
     * rejected.
     *
     * @throws ReplyRejectedException if the step is not waiting for a reply (late, duplicate, unknown instance or
     *     step), or a reply for it is already recorded; the reply is not applied
     * @throws UnknownSagaException if the instance's definition is not registered on this node
     * @throws DefinitionMismatchException if the registered definition of its name and version has other steps
     * @throws SagaStoreException if the store could not record it (deliver it again later)
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    void reply(SagaReply reply);

    /** The instance with this id, with its steps and history. */
    Optional<SagaInfo> find(String sagaId);

    /** The instance of saga {@code sagaName} that was started with {@code idempotencyKey}, with its steps and history. */
    Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey);

    /**
     * The child sagas that instance {@code sagaId}'s child steps started, in step order, without history. Each
     * names its parent ({@link SagaInfo#parentId()}, {@link SagaInfo#parentStep()}).
     *
     * @throws UnknownSagaException if there is no such instance or its definition is not registered
     */
    List<SagaInfo> children(String sagaId);

    /** Instances selected by {@code query} (without history), oldest first; page with {@link SagaQuery#after}. */
    List<SagaInfo> list(SagaQuery query);

    /** How many instances the query's filters select, per saga name and status. */
    List<SagaCount> count(SagaQuery query);

    /**
     * Deletes the instances that finished successfully (COMPLETED or COMPENSATED) and were last written before
     * {@code finishedBefore}, with their history, in batches. FAILED and live instances are never deleted.
     *
     * @return how many instances were deleted
     */
    int purgeFinished(Instant finishedBefore);

    /**
     * Resumes a FAILED instance: its stuck compensation, or its stuck step after the pivot, is
     * attempted again with a fresh retry budget.
     *
     * @throws UnknownSagaException if there is no such instance or its definition is not registered
     * @throws DefinitionMismatchException if the registered definition of its name and version has other steps
     * @throws IllegalTransitionException if it is not FAILED
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    default SagaExecution<?> retry(String sagaId) {
        return retry(sagaId, null);
    }

    /**
     * {@link #retry(String)}, recording who did it: the {@code SAGA_RETRIED} history entry's detail is
     * {@code "by <actor>"}.
     *
     * @param actor who retries (a user name), at most 200 characters without control characters; {@code null}
     *     for nobody in particular
     * @throws IllegalArgumentException if {@code actor} is too long or holds a control character
     */
    SagaExecution<?> retry(String sagaId, String actor);

    /**
     * Aborts a RUNNING instance whose pivot has not succeeded: the current step is given up and every
     * step that took effect, or may have, is compensated, as for any failure.
     *
     * @throws UnknownSagaException if there is no such instance or its definition is not registered
     * @throws DefinitionMismatchException if the registered definition of its name and version has other steps
     * @throws IllegalTransitionException if it is not RUNNING, or is past its pivot
     * @throws SagaStoreException if the store is unavailable
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    default void abort(String sagaId, String reason) {
        abort(sagaId, reason, null);
    }

    /**
     * {@link #abort(String, String)}, recording who did it: the {@code SAGA_ABORTED} history entry's detail, and the
     * saga's error, read {@code "by <actor>: <reason>"}.
     *
     * @param actor who aborts (a user name), at most 200 characters without control characters; {@code null}
     *     for nobody in particular
     * @throws IllegalArgumentException if {@code actor} is too long or holds a control character
     */
    void abort(String sagaId, String reason, String actor);

    /**
     * Claims and resumes, now, the live instances that no node drives (also done on start-up and
     * every poll interval). Instances whose definition is not registered or has changed are left
     * untouched and reported.
     *
     * @return how many instances were claimed
     */
    int recover();

    /** This node's id, recorded as the owner of the instances it drives. */
    String nodeId();

    /**
     * Stops taking new sagas, lets running attempts finish (up to the shutdown timeout) and records
     * their results, then leaves everything else in the store for recovery and releases this node's
     * leases. Idempotent.
     */
    @Override
    void close();

    /** A builder for an orchestrator over {@code store}. */
    static Builder builder(SagaStore store) {
        return new Builder(store);
    }

    /**
     * Configures a {@link SagaOrchestrator}. Not thread-safe; {@link #build()} copies, so later calls
     * do not change an orchestrator already built.
     */
    final class Builder {
        private final SagaStore store;
        private final List<SagaDefinition<?>> definitions = new ArrayList<>();
        private final List<SagaListener> listeners = new ArrayList<>();
        private final List<StepInterceptor> interceptors = new ArrayList<>();
        private final List<AttemptObserver> attemptObservers = new ArrayList<>();
        private final List<MetadataProvider> metadataProviders = new ArrayList<>();
        private Executor executor;
        private SagaTimer timer;
        private SagaCodec codec;
        private String nodeId;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private boolean workerThreadsSet;
        private boolean recoverOnStart = true;
        private Duration timeoutGrace = Duration.ofSeconds(5);
        private int maxDataLength = DEFAULT_MAX_DATA_LENGTH;
        private int maxErrorLength = DEFAULT_MAX_ERROR_LENGTH;
        private UnaryOperator<String> errorRedactor;

        Builder(SagaStore store) {
            this.store = Checks.notNull(store, "store");
        }

        /** Registers definitions this orchestrator can start and resume. Name and version must be unique. */
        public Builder register(SagaDefinition<?>... sagaDefinitions) {
            for (SagaDefinition<?> definition : sagaDefinitions) {
                definitions.add(Checks.notNull(definition, "definition"));
            }
            return this;
        }

        /**
         * Where actions and compensations run. Default: a pool of {@link #workerThreads(int)} named daemon threads,
         * shut down on close. A bounded executor may reject tasks in a burst: a rejected task is tried again a
         * moment later, never dropped.
         */
        public Builder executor(Executor stepExecutor) {
            this.executor = Checks.notNull(stepExecutor, "executor");
            return this;
        }

        /**
         * The size of the default worker pool, when no executor is given. Default: max(4, 2 × cores). A saga
         * waiting for a reply, a retry or a timeout holds no thread; a synchronous handler that blocks (a remote
         * call, a sleep) holds one while it runs, so with that many blocked handlers further sagas wait in the
         * pool's queue. Size it for the handlers that block at once, or give asynchronous handlers.
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = Checks.atLeast(threads, 1, "workerThreads");
            this.workerThreadsSet = true;
            return this;
        }

        /** The clock and scheduler. Default: the system clock and one daemon thread, stopped on close. */
        public Builder timer(SagaTimer sagaTimer) {
            this.timer = Checks.notNull(sagaTimer, "timer");
            return this;
        }

        /**
         * Serialises saga data with the host's mapper. Default: {@code new ObjectMapper()} with the
         * Jackson modules found on the class path registered (so {@code java.time} types work when
         * the host has {@code jackson-datatype-jsr310}). Configure the mapper fully before handing it
         * over: the codec makes a reader and a writer per data type from it on first use and keeps them.
         */
        public Builder objectMapper(ObjectMapper mapper) {
            return codec(new JacksonCodec(Checks.notNull(mapper, "objectMapper")));
        }

        /** Serialises saga data with another codec. */
        public Builder codec(SagaCodec dataCodec) {
            this.codec = Checks.notNull(dataCodec, "codec");
            return this;
        }

        /**
         * This node's id. Default: a random one. Give a stable id per process (the host name, a pod
         * name) so that a restarted process resumes its own instances at once instead of waiting for
         * their leases to run out.
         */
        public Builder nodeId(String id) {
            this.nodeId = Checks.name(id, MAX_NODE_ID_LENGTH, "nodeId");
            return this;
        }

        /**
         * How long a claim on an instance lasts without renewal, on the store's clock. Renewed every third of it;
         * a node that could not renew for that long starts no new attempt until it has. Default 30 s.
         */
        public Builder leaseDuration(Duration lease) {
            this.leaseDuration = Checks.positiveBounded(lease, "leaseDuration");
            return this;
        }

        /** How often to look for instances that no node drives. Default 10 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Checks.positiveBounded(interval, "pollInterval");
            return this;
        }

        /** How long {@link #close()} waits for running attempts. Default 10 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Checks.atMost(Checks.notNegative(timeout, "shutdownTimeout"), Checks.MAX_DURATION,
                    "shutdownTimeout");
            return this;
        }

        /**
         * How long the next attempt at a step (its retry, or its compensation) waits for a timed-out attempt of
         * that step to return. When an attempt times out, its synchronous handler is interrupted, and the step's
         * next attempt starts once it has returned or this grace period has passed, whichever comes first, so that
         * a compensation does not run beside the action it undoes. An asynchronous handler is not waited for: bound
         * its work by {@link StepContext#deadline()}. Default 5 s.
         */
        public Builder timeoutGrace(Duration grace) {
            this.timeoutGrace = Checks.atMost(Checks.notNegative(grace, "timeoutGrace"), Checks.MAX_DURATION,
                    "timeoutGrace");
            return this;
        }

        /**
         * The longest saga data, in characters of JSON, that may be stored (the store's own limit applies as well,
         * see {@link SagaStore#maxDataLength()}). Data longer than that is refused at {@code start} with a
         * {@link SagaDataException}; a step whose result is longer fails (as possibly done) and the saga compensates.
         * Default {@value SagaOrchestrator#DEFAULT_MAX_DATA_LENGTH}.
         *
         * @throws IllegalArgumentException if {@code max < 2}
         */
        public Builder maxDataLength(int max) {
            this.maxDataLength = Checks.atLeast(max, 2, "maxDataLength");
            return this;
        }

        /**
         * The longest error text stored per entry (a step's error, the saga's reason, a history detail), in
         * characters; longer text is cut, and stack-trace lines are dropped. Default
         * {@value SagaOrchestrator#DEFAULT_MAX_ERROR_LENGTH}.
         *
         * @throws IllegalArgumentException if {@code max < 64}
         */
        public Builder maxErrorLength(int max) {
            this.maxErrorLength = Checks.atLeast(max, 64, "maxErrorLength");
            return this;
        }

        /**
         * A function applied to every error text before it is stored or shown to listeners (exception messages
         * may carry secrets: tokens, card numbers). If it throws, the text is withheld. Default: none.
         */
        public Builder errorRedactor(UnaryOperator<String> redactor) {
            this.errorRedactor = Checks.notNull(redactor, "errorRedactor");
            return this;
        }

        /** Receives every transition. Listeners are called in the order added. */
        public Builder listener(SagaListener listener) {
            listeners.add(Checks.notNull(listener, "listener"));
            return this;
        }

        /** Runs before every attempt of every action and compensation. */
        public Builder interceptor(StepInterceptor interceptor) {
            interceptors.add(Checks.notNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Observes every attempt of every action and compensation from around its handler (timings, spans,
         * resources bound to the handler's thread); see {@link AttemptObserver} for the order of its calls.
         * Observers are called in the order added, and their scopes closed in reverse order.
         */
        public Builder attemptObserver(AttemptObserver observer) {
            attemptObservers.add(Checks.notNull(observer, "attemptObserver"));
            return this;
        }

        /**
         * Adds attributes to every instance this orchestrator starts (a trace context, say), kept with the instance
         * and read by its attempts from {@link StepContext#metadata()}; see {@link MetadataProvider}.
         */
        public Builder metadataProvider(MetadataProvider provider) {
            metadataProviders.add(Checks.notNull(provider, "metadataProvider"));
            return this;
        }

        /** Whether {@link #build()} resumes this node's and orphaned instances at once (default {@code true}). */
        public Builder recoverOnStart(boolean recover) {
            this.recoverOnStart = recover;
            return this;
        }

        /**
         * Builds and starts the orchestrator: logs its configuration, resumes instances (unless
         * disabled), and starts lease renewal and polling.
         *
         * @throws IllegalArgumentException if two registered definitions share a name and version
         * @throws IllegalStateException if both an executor and a worker thread count are given
         */
        public SagaOrchestrator build() {
            if (executor != null && workerThreadsSet) {
                throw new IllegalStateException("workerThreads sizes the default pool and would be ignored"
                        + " with the given executor; set one or the other");
            }
            OrchestratorConfig config = new OrchestratorConfig(store, List.copyOf(definitions), List.copyOf(listeners),
                    List.copyOf(interceptors), List.copyOf(attemptObservers), List.copyOf(metadataProviders), executor,
                    workerThreads, timer,
                    codec != null ? codec : new JacksonCodec(new ObjectMapper().findAndRegisterModules()),
                    nodeId != null ? nodeId : "node-" + UUID.randomUUID().toString().substring(0, 8),
                    leaseDuration, pollInterval, shutdownTimeout, recoverOnStart, timeoutGrace, maxDataLength,
                    maxErrorLength, errorRedactor);
            return Orchestrator.start(config);
        }
    }
}
