package dev.sagaflow.opentelemetry;

import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.opentelemetry.internal.Spans;
import dev.sagaflow.spi.AttemptObserver;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;

/**
 * Sagaflow's traces through the OpenTelemetry API. One instance serves one orchestrator:
 *
 * <pre>{@code
 * SagaTracing tracing = SagaTracing.create(GlobalOpenTelemetry.get());   // or the SDK you built
 * SagaOrchestrator orchestrator = tracing.bindTo(SagaOrchestrator.builder(store)).register(createOrder).build();
 * }</pre>
 *
 * <p>The spans (all {@code INTERNAL}, instrumentation scope {@value #INSTRUMENTATION_NAME}):
 * <ul>
 *   <li>{@code saga <saga name>}: from the start of a saga to its end, a child of the span that was current
 *       where the saga was started (an HTTP request's, say). Its transitions are span events (retries, awaiting
 *       a reply, a failed step, an abort); it ends with {@code sagaflow.saga.outcome} ({@code COMPLETED},
 *       {@code COMPENSATED}, {@code FAILED}, the last with status ERROR).</li>
 *   <li>{@code step <step name>} per attempt of an action and {@code compensate <step name>} per attempt of a
 *       compensation, children of the saga span, with {@code sagaflow.saga.name}, {@code sagaflow.saga.id},
 *       {@code sagaflow.step.name}, {@code sagaflow.step.phase} ({@code action} or {@code compensation}),
 *       {@code sagaflow.step.attempt} and {@code sagaflow.step.outcome} ({@code success}, {@code failure},
 *       {@code rejection}); a failed attempt has status ERROR and the exception recorded. The span is current on
 *       the handler's thread while the handler runs, and its W3C context is in {@code StepContext.headers()},
 *       to send with a command so that the participant's spans join the trace.</li>
 *   <li>When the saga span is not in this process (the step was resumed after a crash, the instance was claimed
 *       by this node, or a reply was applied here), the attempt's span is a child of whatever is current (a new
 *       trace on a worker thread) with a <b>link</b> to the saga span, found through the
 *       {@link TraceContextStore}, and {@code sagaflow.resumed=true}.</li>
 * </ul>
 *
 * <p>Why the OpenTelemetry API and not Micrometer Tracing: the API is the one dependency a plain-Java host
 * needs (it is a no-op until an SDK or the Java agent is installed, and the agent installs one with no code),
 * it has span links, which resumed sagas need and the Observation API cannot express, and Spring Boot exposes
 * the same {@code OpenTelemetry} object when it traces through Micrometer Tracing's OpenTelemetry bridge, so
 * Boot applications get the same spans in the same trace.
 *
 * <p>Thread-safe. {@link #close()} ends the saga spans still open (sagas this node was driving when it stopped).
 */
public final class SagaTracing implements AutoCloseable {
    /** The instrumentation scope name of every span. */
    public static final String INSTRUMENTATION_NAME = "dev.sagaflow";

    private final Spans spans;

    private SagaTracing(Builder builder) {
        this.spans = new Spans(builder.openTelemetry, builder.traceContexts, builder.maxOpenSagaSpans);
    }

    /** Tracing through {@code openTelemetry}, with the trace contexts kept in memory (see {@link TraceContextStore}). */
    public static SagaTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /** A builder for tracing through {@code openTelemetry}. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /** The listener that opens, annotates and ends saga spans; add it to the orchestrator. */
    public SagaListener listener() {
        return spans;
    }

    /** The observer that makes one span per attempt; add it to the orchestrator. */
    public AttemptObserver attemptObserver() {
        return spans.attempts();
    }

    /**
     * Adds {@link #listener()} and {@link #attemptObserver()} to {@code builder}.
     *
     * @return {@code builder}
     */
    public SagaOrchestrator.Builder bindTo(SagaOrchestrator.Builder builder) {
        return builder.listener(listener()).attemptObserver(attemptObserver());
    }

    /** Ends the saga spans still open, with {@code sagaflow.saga.outcome=HANDED_OVER}. Idempotent. */
    @Override
    public void close() {
        spans.endAll();
    }

    /** Configures {@link SagaTracing}. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private TraceContextStore traceContexts;
        private int maxOpenSagaSpans = 100_000;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry cannot be null");
        }

        /** Where each saga's trace context is kept for links. Default: {@code TraceContextStore.inMemory(100_000)}. */
        public Builder traceContextStore(TraceContextStore store) {
            this.traceContexts = Objects.requireNonNull(store, "traceContextStore cannot be null");
            return this;
        }

        /**
         * The most saga spans kept open at once. Default 100,000. A saga this node stops driving (another node
         * took it over) gets no event here, so its span would stay open: past the bound the oldest are ended.
         *
         * @throws IllegalArgumentException if {@code max < 1}
         */
        public Builder maxOpenSagaSpans(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOpenSagaSpans must be >= 1, was " + max);
            }
            this.maxOpenSagaSpans = max;
            return this;
        }

        /** Builds the tracing. */
        public SagaTracing build() {
            return new SagaTracing(this);
        }
    }
}
