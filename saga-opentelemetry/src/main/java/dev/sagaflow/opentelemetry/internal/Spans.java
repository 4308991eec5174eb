package dev.sagaflow.opentelemetry.internal;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaListener;
import dev.sagaflow.StepContext;
import dev.sagaflow.opentelemetry.SagaTracing;
import dev.sagaflow.opentelemetry.TraceContextStore;
import dev.sagaflow.spi.AttemptObserver;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Saga spans (from the listener) and attempt spans (from the attempt observer). */
public final class Spans implements SagaListener {
    public static final AttributeKey<String> SAGA_NAME = AttributeKey.stringKey("sagaflow.saga.name");
    public static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("sagaflow.saga.id");
    public static final AttributeKey<String> SAGA_OUTCOME = AttributeKey.stringKey("sagaflow.saga.outcome");
    public static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("sagaflow.step.name");
    public static final AttributeKey<String> STEP_PHASE = AttributeKey.stringKey("sagaflow.step.phase");
    public static final AttributeKey<Long> STEP_ATTEMPT = AttributeKey.longKey("sagaflow.step.attempt");
    public static final AttributeKey<String> STEP_OUTCOME = AttributeKey.stringKey("sagaflow.step.outcome");
    public static final AttributeKey<Boolean> RESUMED = AttributeKey.booleanKey("sagaflow.resumed");
    private static final AttributeKey<String> DETAIL = AttributeKey.stringKey("sagaflow.detail");
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
    private final TraceContextStore traceContexts;
    private final int maxOpen;
    private final Map<String, Span> open = new ConcurrentHashMap<>();
    private final Attempts attempts = new Attempts();

    public Spans(OpenTelemetry openTelemetry, TraceContextStore traceContexts, int maxOpen) {
        this.tracer = openTelemetry.getTracer(SagaTracing.INSTRUMENTATION_NAME);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.traceContexts = traceContexts != null ? traceContexts : new BoundedTraceContexts(100_000);
        this.maxOpen = maxOpen;
    }

    public AttemptObserver attempts() {
        return attempts;
    }

    @Override
    public void onEvent(SagaEvent event) {
        switch (event.type()) {
            case SAGA_STARTED -> sagaStarted(event);
            case SAGA_COMPLETED, SAGA_COMPENSATED, SAGA_FAILED -> sagaEnded(event);
            case INSTANCE_NOT_RESUMABLE -> {
            }
            default -> {
                Span span = open.get(event.sagaId());
                if (span != null) {
                    span.addEvent(event.type().name().toLowerCase(Locale.ROOT), eventAttributes(event));
                }
            }
        }
    }

    private void sagaStarted(SagaEvent event) {
        // On the thread that started the saga: the caller's span, if any, is the parent.
        Span span = tracer.spanBuilder("saga " + event.sagaName()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(SAGA_NAME, event.sagaName()).setAttribute(SAGA_ID, event.sagaId()).startSpan();
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), carrier, Map::put);
        try {
            traceContexts.save(event.sagaId(), carrier);
        } catch (RuntimeException e) {
            log.warn("saving the trace context of saga {} failed; resumed steps will not link to it: {}",
                    event.sagaId(), e.toString());
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
        if (event.type() == dev.sagaflow.SagaEventType.SAGA_FAILED) {
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

    /** The saga span's context as stored for {@code sagaId}, or an invalid one when there is none. */
    private SpanContext storedContext(String sagaId) {
        Map<String, String> carrier;
        try {
            carrier = traceContexts.load(sagaId);
        } catch (RuntimeException e) {
            log.warn("loading the trace context of saga {} failed; the span goes on without a link: {}", sagaId,
                    e.toString());
            return SpanContext.getInvalid();
        }
        if (carrier.isEmpty()) {
            return SpanContext.getInvalid();
        }
        return Span.fromContext(W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER))
                .getSpanContext();
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
                SpanContext original = storedContext(context.sagaId());
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
