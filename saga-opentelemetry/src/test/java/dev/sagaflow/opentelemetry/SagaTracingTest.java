package dev.sagaflow.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SagaTracingTest {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    private final SagaTestKit kit = SagaTestKit.create();
    private final List<String> currentSpanInHandler = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> headersInHandler = new CopyOnWriteArrayList<>();

    private final SagaDefinition<Trail> order = Saga.define("create-order", Trail.class)
            .step("create-pending-order").action((trail, context) -> {
                currentSpanInHandler.add(Span.current().getSpanContext().getSpanId());
                headersInHandler.add(context.headers());
                return trail.mark("created");
            }).compensation((trail, context) -> trail.mark("rejected"))
            .step("reserve-credit").action((trail, context) -> {
                if (trail.name().equals("poor")) {
                    throw new BusinessRejection("credit limit exceeded");
                }
                return trail.mark("reserved");
            }).compensation((trail, context) -> trail.mark("released"))
            .step("wait-for-approval").action((trail, context) -> trail).awaitReply(String.class, Trail::mark)
            .pivot("approve-order").action((trail, context) -> trail.mark("approved"))
            .build();

    @AfterEach
    void closeSdk() {
        openTelemetry.close();
    }

    @Test
    void a_saga_is_one_span_with_a_child_span_per_attempt_each_with_its_attributes() {
        SagaTracing tracing = tracing();
        SagaOrchestrator orchestrator = tracing.bindTo(kit.orchestrator()).register(order).build();
        Span request = openTelemetry.getTracer("test").spanBuilder("POST /orders").startSpan();

        SagaExecution<Trail> execution;
        try (Scope ignored = request.makeCurrent()) {
            execution = orchestrator.start(order, Trail.of("rich"));
        }
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait-for-approval", "ok"));
        request.end();

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        SpanData saga = span("saga create-order");
        assertThat(saga.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(saga.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(saga.getInstrumentationScopeInfo().getName()).isEqualTo("dev.sagaflow");
        assertThat(saga.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("sagaflow.saga.name"),
                "create-order").containsEntry(AttributeKey.stringKey("sagaflow.saga.id"), execution.sagaId())
                .containsEntry(AttributeKey.stringKey("sagaflow.saga.outcome"), "COMPLETED");
        assertThat(saga.getEvents()).extracting(event -> event.getName())
                .contains("step_succeeded", "step_awaiting_reply");
        List<SpanData> steps = exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getName().startsWith("step ")).toList();
        assertThat(steps).extracting(SpanData::getName).containsExactly("step create-pending-order",
                "step reserve-credit", "step wait-for-approval", "step approve-order");
        assertThat(steps).allSatisfy(step -> {
            assertThat(step.getParentSpanId()).isEqualTo(saga.getSpanId());
            assertThat(step.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(step.getLinks()).isEmpty();
            assertThat(step.getAttributes().asMap().keySet()).extracting(AttributeKey::getKey).containsExactlyInAnyOrder(
                    "sagaflow.saga.name", "sagaflow.saga.id", "sagaflow.step.name", "sagaflow.step.phase",
                    "sagaflow.step.attempt", "sagaflow.step.outcome");
        });
        SpanData first = steps.get(0);
        assertThat(first.getAttributes().get(AttributeKey.stringKey("sagaflow.step.phase"))).isEqualTo("action");
        assertThat(first.getAttributes().get(AttributeKey.longKey("sagaflow.step.attempt"))).isEqualTo(1L);
        assertThat(first.getAttributes().get(AttributeKey.stringKey("sagaflow.step.outcome"))).isEqualTo("success");
        // The attempt's span is current in the handler, and its context is offered for outgoing commands.
        assertThat(currentSpanInHandler).containsExactly(first.getSpanId());
        assertThat(headersInHandler.get(0).get("traceparent"))
                .startsWith("00-" + first.getTraceId() + "-" + first.getSpanId() + "-");
    }

    @Test
    void compensations_are_spans_under_the_saga_span_and_a_rejected_attempt_is_an_error() {
        SagaOrchestrator orchestrator = tracing().bindTo(kit.orchestrator()).register(order).build();

        assertThat(orchestrator.run(order, Trail.of("poor")).status()).isEqualTo(SagaStatus.COMPENSATED);

        SpanData saga = span("saga create-order");
        SpanData rejected = span("step reserve-credit");
        SpanData compensation = span("compensate create-pending-order");
        assertThat(rejected.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(rejected.getAttributes().get(AttributeKey.stringKey("sagaflow.step.outcome"))).isEqualTo("rejection");
        assertThat(rejected.getEvents()).extracting(event -> event.getName()).containsExactly("exception");
        assertThat(compensation.getParentSpanId()).isEqualTo(saga.getSpanId());
        assertThat(compensation.getAttributes().get(AttributeKey.stringKey("sagaflow.step.phase")))
                .isEqualTo("compensation");
        assertThat(saga.getAttributes().get(AttributeKey.stringKey("sagaflow.saga.outcome"))).isEqualTo("COMPENSATED");
        assertThat(saga.getEvents()).extracting(event -> event.getName()).contains("step_failed");
    }

    @Test
    void after_a_crash_the_resumed_steps_start_new_traces_linked_to_the_original_saga_span() {
        SagaOrchestrator crashed = tracing().bindTo(kit.orchestrator()).register(order).build();
        SagaExecution<Trail> execution = crashed.start(order, Trail.of("rich"));
        SagaTestKit.crash(crashed);

        // A new process: new tracing (no saga span open); the trace context is in the stored instance.
        SagaOrchestrator restarted = tracing().bindTo(kit.orchestrator()).nodeId("node-1").register(order).build();
        restarted.reply(SagaReply.success(execution.sagaId(), "wait-for-approval", "ok"));

        assertThat(restarted.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        SpanData resumed = span("step approve-order");
        String originalTrace = span("step create-pending-order").getTraceId();
        String originalSagaSpan = span("step create-pending-order").getParentSpanId();
        assertThat(resumed.getTraceId()).isNotEqualTo(originalTrace);
        assertThat(resumed.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(originalTrace);
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(originalSagaSpan);
        });
        assertThat(resumed.getAttributes().get(AttributeKey.booleanKey("sagaflow.resumed"))).isTrue();
    }

    @Test
    void a_reply_applied_by_another_node_starts_spans_linked_to_the_original_trace() {
        SagaTracing firstTracing = tracing();
        SagaOrchestrator first = firstTracing.bindTo(kit.orchestrator()).register(order).build();
        SagaOrchestrator second = tracing().bindTo(kit.orchestrator()).register(order).build();
        SagaExecution<Trail> execution = first.start(order, Trail.of("rich"));
        Span consumer = openTelemetry.getTracer("test").spanBuilder("receive reply").startSpan();

        try (Scope ignored = consumer.makeCurrent()) {
            second.reply(SagaReply.success(execution.sagaId(), "wait-for-approval", "ok"));
        }
        consumer.end();

        SpanData approve = span("step approve-order");
        SpanData saga = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("step reserve-credit"))
                .findFirst().orElseThrow();
        assertThat(approve.getLinks()).singleElement().satisfies(link ->
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(saga.getParentSpanId()));
        firstTracing.close();
        assertThat(span("saga create-order").getAttributes().get(AttributeKey.stringKey("sagaflow.saga.outcome")))
                .isEqualTo("HANDED_OVER");
    }

    @Test
    void a_saga_started_inside_a_callers_span_is_its_child_and_the_stored_instance_keeps_the_saga_spans_traceparent() {
        SagaOrchestrator orchestrator = tracing().bindTo(kit.orchestrator()).register(order).build();
        Span request = openTelemetry.getTracer("test").spanBuilder("POST /orders").startSpan();

        SagaExecution<Trail> execution;
        try (Scope ignored = request.makeCurrent()) {
            execution = orchestrator.start(order, Trail.of("rich"));
        }
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait-for-approval", "ok"));
        request.end();

        SpanData saga = span("saga create-order");
        assertThat(saga.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(saga.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().metadata())
                .containsOnlyKeys("traceparent").extractingByKey("traceparent").asString()
                .startsWith("00-" + saga.getTraceId() + "-" + saga.getSpanId() + "-");
    }

    @Test
    void the_callers_tracestate_is_kept_with_the_instance_beside_the_traceparent() {
        SagaOrchestrator orchestrator = tracing().bindTo(kit.orchestrator()).register(order).build();
        SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.builder().put("vendor", "value").build());

        SagaExecution<Trail> execution;
        try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
            execution = orchestrator.start(order, Trail.of("rich"));
        }

        Map<String, String> metadata = kit.store().find(execution.sagaId()).orElseThrow().metadata();
        assertThat(metadata.get("traceparent")).startsWith("00-0af7651916cd43dd8448eb211c80319c-");
        assertThat(metadata).containsEntry("tracestate", "vendor=value");
    }

    @Test
    void without_an_sdk_nothing_is_kept_with_the_instance_and_the_saga_runs() {
        SagaOrchestrator orchestrator = SagaTracing.create(OpenTelemetry.noop()).bindTo(kit.orchestrator())
                .register(order).build();

        SagaExecution<Trail> execution = orchestrator.start(order, Trail.of("rich"));
        orchestrator.reply(SagaReply.success(execution.sagaId(), "wait-for-approval", "ok"));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().metadata()).isEmpty();
    }

    private SagaTracing tracing() {
        return SagaTracing.create(openTelemetry);
    }

    private SpanData span(String name) {
        List<SpanData> spans = exporter.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name))
                .toList();
        assertThat(spans).as("finished spans named '%s' among %s", name, exporter.getFinishedSpanItems()).hasSize(1);
        return spans.get(0);
    }
}
