package dev.sagaflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.internal.JacksonCodec;
import dev.sagaflow.internal.Orchestrator;
import dev.sagaflow.internal.OrchestratorConfig;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Runs saga instances: starts them, executes their steps, waits for replies, retries, times out,
 * compensates, persists every transition to its {@link SagaStore}, and resumes, on start-up and
 * periodically, the live instances that no node drives. Thread-safe. Build one with
 * {@link #builder(SagaStore)}; it is running when built, and stops with {@link #close()}.
 */
public interface SagaOrchestrator extends AutoCloseable {

    /**
     * Starts an instance. The instance is written to the store (its first step marked RUNNING) before
     * this returns; the steps then run on the executor. The handlers that run are those of the
     * definition registered under the same name and version (the one recovery would use), which
     * must have the same steps as {@code definition}.
     *
     * @throws UnknownSagaException if the definition is not registered with this orchestrator
     * @throws SagaDataException if the data cannot be serialised (and read back)
     * @throws OrchestratorClosedException if the orchestrator is closed
     */
    <D> SagaExecution<D> start(SagaDefinition<D> definition, D data);

    /**
     * Starts an instance unless one of the same saga was already started with {@code idempotencyKey};
     * then returns that one ({@link SagaExecution#alreadyStarted()} is {@code true}) and starts nothing.
     */
    <D> SagaExecution<D> start(SagaDefinition<D> definition, D data, String idempotencyKey);

    /**
     * Starts an instance and waits until it is COMPLETED, COMPENSATED or FAILED. Its synchronous steps
     * run on the calling thread.
     */
    <D> SagaOutcome<D> run(SagaDefinition<D> definition, D data);

    /**
     * Delivers a participant's reply to an awaiting step. Returns once the reply is durably recorded.
     * Delivering the same reply again is safe: it is rejected.
     *
     * @throws ReplyRejectedException if the step is not waiting for a reply (late, duplicate,
     *     unknown instance or step); the reply is not applied
     * @throws SagaStoreException if the store could not record it (redeliver later)
     */
    void reply(SagaReply reply);

    /** The instance with this id, with its steps and history. */
    Optional<SagaInfo> find(String sagaId);

    /** The instance of saga {@code sagaName} that was started with {@code idempotencyKey}, with its steps and history. */
    Optional<SagaInfo> findByIdempotencyKey(String sagaName, String idempotencyKey);

    /** Instances selected by {@code query} (without history). */
    List<SagaInfo> list(SagaQuery query);

    /**
     * Resumes a FAILED instance: its stuck compensation, or its stuck step after the pivot, is
     * attempted again with a fresh retry budget.
     *
     * @throws UnknownSagaException if there is no such instance or its definition is not registered
     * @throws IllegalTransitionException if it is not FAILED
     */
    SagaExecution<?> retry(String sagaId);

    /**
     * Aborts a RUNNING instance whose pivot has not succeeded: the current step is given up and every
     * step that took effect, or may have, is compensated, as for any failure.
     *
     * @throws UnknownSagaException if there is no such instance or its definition is not registered
     * @throws IllegalTransitionException if it is not RUNNING, or is past its pivot
     */
    void abort(String sagaId, String reason);

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

        /** Where actions and compensations run. Default: a pool of {@link #workerThreads(int)} named daemon threads, shut down on close. */
        public Builder executor(Executor stepExecutor) {
            this.executor = Checks.notNull(stepExecutor, "executor");
            return this;
        }

        /** The size of the default worker pool, when no executor is given. Default: max(4, 2 × cores). */
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
            this.nodeId = Checks.notBlank(id, "nodeId");
            return this;
        }

        /** How long a claim on an instance lasts without renewal. Renewed every third of it. Default 30 s. */
        public Builder leaseDuration(Duration lease) {
            this.leaseDuration = Checks.positive(lease, "leaseDuration");
            return this;
        }

        /** How often to look for instances that no node drives. Default 10 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Checks.positive(interval, "pollInterval");
            return this;
        }

        /** How long {@link #close()} waits for running attempts. Default 10 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Checks.notNegative(timeout, "shutdownTimeout");
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
                    List.copyOf(interceptors), List.copyOf(attemptObservers), executor, workerThreads, timer,
                    codec != null ? codec : new JacksonCodec(new ObjectMapper().findAndRegisterModules()),
                    nodeId != null ? nodeId : "node-" + UUID.randomUUID().toString().substring(0, 8),
                    leaseDuration, pollInterval, shutdownTimeout, recoverOnStart);
            return Orchestrator.start(config);
        }
    }
}
