package dev.sagaflow.opentelemetry;

import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.opentelemetry.internal.Spans;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.MetadataProvider;
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
 *       where the saga was started (an HTTP request's, say), with {@code sagaflow.saga.name} and
 *       {@code sagaflow.saga.id}. Its transitions are span events (retries, awaiting a reply, a failed step, an
 *       abort); it ends with {@code sagaflow.saga.outcome} ({@code COMPLETED}, {@code COMPENSATED}, {@code FAILED},
 *       the last with status ERROR; {@code HANDED_OVER} when {@link #close()} ends it, {@code UNKNOWN} when the
 *       bound of open saga spans ends it) and, when the transition has one, {@code sagaflow.detail}.</li>
 *   <li>{@code step <step name>} per attempt of an action and {@code compensate <step name>} per attempt of a
 *       compensation, children of the saga span, with {@code sagaflow.saga.name}, {@code sagaflow.saga.id},
 *       {@code sagaflow.step.name}, {@code sagaflow.step.phase} ({@code action} or {@code compensation}),
 *       {@code sagaflow.step.attempt} and {@code sagaflow.step.outcome} ({@code success}, {@code failure},
 *       {@code rejection}); a failed attempt has status ERROR and the exception recorded. The span is current on
 *       the handler's thread while the handler runs, and its context is in {@code StepContext.headers()} (in the
 *       host's propagation format), to send with a command so that the participant's spans join the trace.</li>
 *   <li>The saga span's W3C context ({@code traceparent}, and {@code tracestate} when set) is kept in the
 *       instance's metadata (see {@link MetadataProvider}), written with its first state to whatever store the
 *       orchestrator uses. When the saga span is not open in this process (the step was resumed after a crash, the
 *       instance was claimed by this node, or a reply was applied here), the attempt's span is a child of whatever
 *       is current (a new trace on a worker thread) with a <b>link</b> to the saga span, read from
 *       {@code StepContext.metadata()}, and {@code sagaflow.resumed=true}. So links reach the original trace across
 *       nodes and restarts. Instances started without this provider (before it was bound) get no link.</li>
 * </ul>
 *
 * <p>Saga-level transitions become span events only on the node whose saga span is open: a
 * {@link dev.sagaflow.SagaEvent} carries no metadata, so another node has no span to put them on, and its step
 * spans are what links it to the trace.
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
        this.spans = new Spans(builder.openTelemetry, builder.maxOpenSagaSpans);
    }

    /** Tracing through {@code openTelemetry}, with the defaults of {@link Builder}. */
    public static SagaTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /** A builder for tracing through {@code openTelemetry}. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /**
     * The provider that opens each saga's span as the saga starts, on the starting thread, and keeps the span's
     * W3C context in the instance's metadata; add it to the orchestrator together with {@link #listener()}, which
     * ends the span (without it the span is never ended; without the provider the listener opens the span itself,
     * and resumed steps get no link).
     */
    public MetadataProvider metadataProvider() {
        return spans.traceContext();
    }

    /** The listener that annotates and ends saga spans; add it to the orchestrator. */
    public SagaListener listener() {
        return spans;
    }

    /** The observer that makes one span per attempt; add it to the orchestrator. */
    public AttemptObserver attemptObserver() {
        return spans.attempts();
    }

    /**
     * Adds {@link #metadataProvider()}, {@link #listener()} and {@link #attemptObserver()} to {@code builder}.
     *
     * @return {@code builder}
     */
    public SagaOrchestrator.Builder bindTo(SagaOrchestrator.Builder builder) {
        return builder.metadataProvider(metadataProvider()).listener(listener()).attemptObserver(attemptObserver());
    }

    /** Ends the saga spans still open, with {@code sagaflow.saga.outcome=HANDED_OVER}. Idempotent. */
    @Override
    public void close() {
        spans.endAll();
    }

    /** Configures {@link SagaTracing}. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private int maxOpenSagaSpans = 100_000;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry cannot be null");
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
