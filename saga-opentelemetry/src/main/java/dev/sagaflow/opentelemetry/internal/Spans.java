package dev.sagaflow.opentelemetry.internal;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaListener;
import dev.sagaflow.StepContext;
import dev.sagaflow.opentelemetry.SagaTracing;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.MetadataProvider;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saga spans (opened by the metadata provider, which stores their W3C context with the instance, and ended by the
 * listener) and attempt spans (from the attempt observer, linked to the stored context when the saga span is not
 * open in this process).
 */
public final class Spans implements SagaListener {
    public static final AttributeKey<String> SAGA_NAME = AttributeKey.stringKey("sagaflow.saga.name");
    public static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("sagaflow.saga.id");
    public static final AttributeKey<String> SAGA_OUTCOME = AttributeKey.stringKey("sagaflow.saga.outcome");
    public static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("sagaflow.step.name");
    public static final AttributeKey<String> STEP_PHASE = AttributeKey.stringKey("sagaflow.step.phase");
    public static final AttributeKey<Long> STEP_ATTEMPT = AttributeKey.longKey("sagaflow.step.attempt");
    public static final AttributeKey<String> STEP_OUTCOME = AttributeKey.stringKey("sagaflow.step.outcome");
    public static final AttributeKey<Boolean> RESUMED = AttributeKey.booleanKey("sagaflow.resumed");
    public static final AttributeKey<String> DETAIL = AttributeKey.stringKey("sagaflow.detail");
    /** The metadata entries that hold the saga span's context: W3C Trace Context's own header names. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /** Saga spans opened by the provider whose start has not been announced yet, per thread; see below. */
    private static final int MAX_STARTING_PER_THREAD = 16;
    private static final Logger log = LoggerFactory.getLogger(Spans.class);
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final int maxOpen;
    private final Map<String, Span> open = new ConcurrentHashMap<>();
    /*
     * The runtime asks the metadata providers for a new instance's metadata and, once the instance is written,
     * announces SAGA_STARTED on the same thread. The saga span must exist before the write (its context is part of
     * the metadata), so the provider opens it and leaves it here for the listener. A start that fails after the
     * provider ran leaves its span behind, never ended (so never exported); keeping them per thread and at most a
     * few per thread bounds what such failures can hold on to.
     */
    private final ThreadLocal<Map<String, Span>> starting = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(4, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Span> eldest) {
                    return size() > MAX_STARTING_PER_THREAD;
                }
            });
    private final Attempts attempts = new Attempts();
    private final TraceContext traceContext = new TraceContext();

    public Spans(OpenTelemetry openTelemetry, int maxOpen) {
        this.tracer = openTelemetry.getTracer(SagaTracing.INSTRUMENTATION_NAME);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.maxOpen = maxOpen;
    }

    public AttemptObserver attempts() {
        return attempts;
    }

    public MetadataProvider traceContext() {
        return traceContext;
    }

    @Override
    public void onEvent(SagaEvent event) {
        switch (event.type()) {
            case SAGA_STARTED -> sagaStarted(event);
            case SAGA_COMPLETED, SAGA_COMPENSATED, SAGA_FAILED -> sagaEnded(event);
            case INSTANCE_NOT_RESUMABLE -> {
            }
            default -> {
                // Only where the saga span is open: the event carries no metadata to link a span elsewhere with.
                Span span = open.get(event.sagaId());
                if (span != null) {
                    span.addEvent(event.type().name().toLowerCase(Locale.ROOT), eventAttributes(event));
                }
            }
        }
    }

    /** On the thread that starts the saga: the caller's span, if any, is the parent. */
    private Span startSagaSpan(String sagaName, String sagaId) {
        return tracer.spanBuilder("saga " + sagaName).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(SAGA_NAME, sagaName).setAttribute(SAGA_ID, sagaId).startSpan();
    }

    private void sagaStarted(SagaEvent event) {
        Span span = starting.get().remove(event.sagaId());
        if (span == null) {
            // The provider is not bound to this orchestrator: a span without a stored context, so no links later.
            span = startSagaSpan(event.sagaName(), event.sagaId());
        }
        if (open.size() >= maxOpen) {
            Iterator<Map.Entry<String, Span>> oldest = open.entrySet().iterator();
            if (oldest.hasNext()) {
                Map.Entry<String, Span> evicted = oldest.next();
                if (open.remove(evicted.getKey(), evicted.getValue())) {
                    evicted.getValue().setAttribute(SAGA_OUTCOME, "UNKNOWN").end();
                }
            }
        }
        open.put(event.sagaId(), span);
    }

    private void sagaEnded(SagaEvent event) {
        Span span = open.remove(event.sagaId());
        if (span == null) {
            return;
        }
        String outcome = event.type().name().substring("SAGA_".length());
        span.setAttribute(SAGA_OUTCOME, outcome);
        if (event.detail() != null) {
            span.setAttribute(DETAIL, event.detail());
        }
        if (event.type() == SagaEventType.SAGA_FAILED) {
            span.setStatus(StatusCode.ERROR, event.detail() == null ? "saga failed" : event.detail());
        }
        span.end();
    }

    public void endAll() {
        for (String sagaId : open.keySet()) {
            Span span = open.remove(sagaId);
            if (span != null) {
                span.setAttribute(SAGA_OUTCOME, "HANDED_OVER").end();
            }
        }
    }

    private static Attributes eventAttributes(SagaEvent event) {
        AttributesBuilder attributes = Attributes.builder();
        if (event.step() != null) {
            attributes.put(STEP_NAME, event.step()).put(STEP_ATTEMPT, (long) event.attempt());
        }
        if (event.detail() != null) {
            attributes.put(DETAIL, event.detail());
        }
        return attributes.build();
    }

    /** The saga span's context kept in the instance's metadata, or an invalid one when there is none. */
    static SpanContext storedContext(Map<String, String> metadata) {
        if (!metadata.containsKey(TRACEPARENT)) {
            return SpanContext.getInvalid();
        }
        // Only the two W3C entries: other providers' entries are none of the propagator's business.
        Map<String, String> carrier = new HashMap<>(2);
        carrier.put(TRACEPARENT, metadata.get(TRACEPARENT));
        if (metadata.containsKey(TRACESTATE)) {
            carrier.put(TRACESTATE, metadata.get(TRACESTATE));
        }
        return Span.fromContext(W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER))
                .getSpanContext();
    }

    /** Opens the saga span before the instance is written, and gives its W3C context to be kept with it. */
    private final class TraceContext implements MetadataProvider {
        @Override
        public Map<String, String> metadata(String sagaName, String sagaId) {
            try {
                Span span = startSagaSpan(sagaName, sagaId);
                starting.get().put(sagaId, span);
                // W3C whatever the host propagates with: the entries are read back by this class only, and
                // baggage has no place in a store (it may be large and is not ours to persist).
                Map<String, String> carrier = new HashMap<>(2);
                W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), carrier, Map::put);
                return carrier;
            } catch (RuntimeException e) {
                // A provider's exception would fail the start; a saga without its trace context is better.
                log.warn("opening the span of saga {} ({}) failed; it is kept without a trace context: {}", sagaId,
                        sagaName, e.toString());
                return Map.of();
            }
        }

        @Override
        public String toString() {
            return "SagaTracing.TraceContext";
        }
    }

    /** One span per attempt. */
    private final class Attempts implements AttemptObserver {
        @Override
        public Scope attemptStarting(StepContext context) {
            String phase = context.isCompensation() ? "compensation" : "action";
            SpanBuilder builder = tracer.spanBuilder((context.isCompensation() ? "compensate " : "step ")
                    + context.stepName()).setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(SAGA_NAME, context.sagaName()).setAttribute(SAGA_ID, context.sagaId())
                    .setAttribute(STEP_NAME, context.stepName()).setAttribute(STEP_PHASE, phase)
                    .setAttribute(STEP_ATTEMPT, (long) context.attempt());
            Span sagaSpan = open.get(context.sagaId());
            Context parent = Context.current();
            if (sagaSpan != null) {
                parent = parent.with(sagaSpan);
            } else {
                // Resumed after a crash, claimed from another node, or driven here by a reply: the saga span is
                // elsewhere (or ended), and the instance carries its context.
                SpanContext original = storedContext(context.metadata());
                if (original.isValid()) {
                    builder.addLink(original);
                }
                builder.setAttribute(RESUMED, true);
            }
            Span span = builder.setParent(parent).startSpan();
            Context withSpan = parent.with(span);
            Map<String, String> headers = new HashMap<>();
            propagator.inject(withSpan, headers, Map::put);
            io.opentelemetry.context.Scope current = withSpan.makeCurrent();
            return new Scope() {
                @Override
                public Map<String, String> headers() {
                    return headers;
                }

                @Override
                public void handlerReturned() {
                    current.close();
                }

                @Override
                public void attemptEnded(Throwable error) {
                    if (error == null) {
                        span.setAttribute(STEP_OUTCOME, "success");
                    } else {
                        span.setAttribute(STEP_OUTCOME, error instanceof BusinessRejection ? "rejection" : "failure");
                        span.recordException(error);
                        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
                    }
                    span.end();
                }
            };
        }

        @Override
        public String toString() {
            return "SagaTracing.Attempts";
        }
    }
}
