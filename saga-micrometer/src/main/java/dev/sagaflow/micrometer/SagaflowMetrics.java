package dev.sagaflow.micrometer;

import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.micrometer.internal.MeteredStore;
import dev.sagaflow.micrometer.internal.Meters;
import dev.sagaflow.micrometer.internal.StepObservations;
import dev.sagaflow.micrometer.internal.TransitionCounters;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.TransactionalSagaStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * Sagaflow's metrics and observations through Micrometer. One instance serves one orchestrator:
 *
 * <pre>{@code
 * SagaflowMetrics metrics = SagaflowMetrics.create(meterRegistry);
 * SagaOrchestrator orchestrator = metrics.bindTo(SagaOrchestrator.builder(metrics.instrument(store)))
 *         .register(createOrder)
 *         .build();
 * }</pre>
 *
 * <p>What it records (names are lower-case and dot-separated; no tag ever holds a saga id, so the number of
 * time series is bounded by the number of sagas, steps and outcomes):
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #SAGA_EXECUTION}</td><td>observation (timer)</td><td>saga, outcome, error</td>
 *       <td>a saga from its start, or from when this node took it over, to its end on this node; outcome
 *       {@code completed}, {@code compensated}, {@code failed}, or {@code handed_over} when this node stopped
 *       driving it (its lease was lost, or the node closed)</td></tr>
 *   <tr><td>{@value #STEP_EXECUTION}</td><td>observation (timer)</td><td>saga, step, phase, outcome, error</td>
 *       <td>one attempt of an action ({@code phase=action}) or a compensation ({@code phase=compensation}); outcome
 *       {@code success}, {@code failure} or {@code rejection} (a {@code BusinessRejection})</td></tr>
 *   <tr><td>{@value #STEP_RETRIES}</td><td>counter</td><td>saga, step, phase</td><td>retries scheduled</td></tr>
 *   <tr><td>{@value #SAGAS_ACTIVE}</td><td>gauge</td><td>saga, status</td>
 *       <td>live instances this node drives, {@code RUNNING} or {@code COMPENSATING}</td></tr>
 *   <tr><td>{@value #REPLY_REJECTED}</td><td>counter</td><td>saga, step</td>
 *       <td>replies for a step that was not waiting (late, duplicate, misrouted)</td></tr>
 *   <tr><td>{@value #STORE_WRITE}</td><td>timer</td><td>operation, outcome</td>
 *       <td>store calls that write: operation {@code insert}, {@code update}, {@code local} (a local step's work
 *       and its checkpoint), {@code claim}, {@code renew}, {@code release}; outcome {@code written},
 *       {@code conflict} or {@code error}</td></tr>
 *   <tr><td>{@value #STORE_CONFLICTS}</td><td>counter</td><td>operation</td>
 *       <td>writes that lost their compare-and-set (or an insert refused for a taken idempotency key)</td></tr>
 *   <tr><td>{@value #LEASE_CLAIMED}</td><td>counter</td><td>saga</td>
 *       <td>instances this node took over (recovery, polling, a reply or an operator action)</td></tr>
 *   <tr><td>{@value #LEASE_LOST}</td><td>counter</td><td>saga</td>
 *       <td>instances this node was driving and lost to another node or an operator</td></tr>
 * </table>
 * The {@code error} tag is added by Micrometer's {@code DefaultMeterObservationHandler} ({@code none}, or the
 * exception's simple class name), which also keeps a long task timer {@code <name>.active} per observation.
 * Observations carry the saga id, the step's attempt number and the idempotency key as high-cardinality key
 * values: they reach spans (when the observation registry has a tracing handler), never meters.
 *
 * <p>Immutable and thread-safe. Building it registers nothing; meters appear as sagas run.
 */
public final class SagaflowMetrics {
    /** Observation and timer: one saga on this node. */
    public static final String SAGA_EXECUTION = "sagaflow.saga.execution";
    /** Observation and timer: one attempt of an action or a compensation. */
    public static final String STEP_EXECUTION = "sagaflow.step.execution";
    /** Counter: retries scheduled. */
    public static final String STEP_RETRIES = "sagaflow.step.retries";
    /** Gauge: live instances this node drives, by saga and status. */
    public static final String SAGAS_ACTIVE = "sagaflow.sagas.active";
    /** Counter: rejected replies. */
    public static final String REPLY_REJECTED = "sagaflow.reply.rejected";
    /** Timer: store calls that write. */
    public static final String STORE_WRITE = "sagaflow.store.write";
    /** Counter: writes that lost their compare-and-set. */
    public static final String STORE_CONFLICTS = "sagaflow.store.conflicts";
    /** Counter: instances taken over by this node. */
    public static final String LEASE_CLAIMED = "sagaflow.lease.claimed";
    /** Counter: instances this node lost to another node or an operator. */
    public static final String LEASE_LOST = "sagaflow.lease.lost";

    private final Meters meters;
    private final StepObservations steps;
    private final TransitionCounters counters;

    private SagaflowMetrics(Builder builder) {
        ObservationRegistry observations = builder.observationRegistry;
        if (observations == null) {
            observations = ObservationRegistry.create();
            observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(builder.registry));
        }
        this.meters = new Meters(builder.registry, observations);
        this.steps = new StepObservations(meters);
        this.counters = new TransitionCounters(meters);
    }

    /** Metrics into {@code registry}, with observations on a registry of their own that only records meters. */
    public static SagaflowMetrics create(MeterRegistry registry) {
        return builder(registry).build();
    }

    /** A builder for metrics into {@code registry}. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /**
     * {@code store}, with every write timed and the instances this node drives followed (active gauge, saga
     * observations, claims and lost leases). Give the orchestrator this store instead of {@code store}. The
     * result is a {@link TransactionalSagaStore} exactly when {@code store} is one.
     */
    public SagaStore instrument(SagaStore store) {
        return MeteredStore.wrap(Objects.requireNonNull(store, "store cannot be null"), meters);
    }

    /** The listener that counts retries and rejected replies; add it to the orchestrator. */
    public SagaListener listener() {
        return counters;
    }

    /** The observer that makes one observation per attempt; add it to the orchestrator. */
    public AttemptObserver attemptObserver() {
        return steps;
    }

    /**
     * Adds {@link #listener()} and {@link #attemptObserver()} to {@code builder}, which must have been made over
     * {@link #instrument(SagaStore)}'s store.
     *
     * @return {@code builder}
     */
    public SagaOrchestrator.Builder bindTo(SagaOrchestrator.Builder builder) {
        return builder.listener(listener()).attemptObserver(attemptObserver());
    }

    /** Configures {@link SagaflowMetrics}. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final MeterRegistry registry;
        private ObservationRegistry observationRegistry;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry cannot be null");
        }

        /**
         * Makes the saga and step observations on {@code registry} (the application's, with its meter and tracing
         * handlers) instead of on a private one that only records meters into the meter registry. The registry's
         * own handlers then decide what is recorded: give it a {@code DefaultMeterObservationHandler} on the same
         * meter registry, or the two timers are not recorded.
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observationRegistry = Objects.requireNonNull(registry, "observationRegistry cannot be null");
            return this;
        }

        /** Builds the metrics. */
        public SagaflowMetrics build() {
            return new SagaflowMetrics(this);
        }
    }
}
