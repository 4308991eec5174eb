package dev.sagaflow.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The saga span's context travels with the instance through a database (the JDBC store on H2): two nodes, each
 * with its own OpenTelemetry SDK and exporter, as two processes would have. What node B records links to the trace
 * node A started, with nothing shared between them but the store.
 */
class TraceContextAcrossNodesTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final Node nodeA = new Node();
    private final Node nodeB = new Node();
    private final ManualTimer timer = new ManualTimer();
    private final JdbcSagaStore store = JdbcSagaStore.builder(h2()).createSchemaIfMissing(true)
            .leaseClock(timer.clock()).build();
    private final SagaTestKit kit = SagaTestKit.over(store, timer);

    /** s2 never answers its first attempt: the node that runs it can die in the middle of it. */
    private final SagaDefinition<Trail> ship = Saga.define("ship-order", Trail.class)
            .step("s1").action((trail, context) -> trail.mark("s1"))
            .step("s2").asyncAction((trail, context) -> context.attempt() == 1 ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(trail.mark("s2")))
            .step("s3").action((trail, context) -> trail.mark("s3"))
            .build();

    private final SagaDefinition<Trail> approve = Saga.define("approve-order", Trail.class)
            .step("request-approval").action((trail, context) -> trail).awaitReply(String.class, Trail::mark)
            .step("confirm").action((trail, context) -> trail.mark("confirmed"))
            .build();

    @AfterEach
    void close() {
        nodeA.sdk.close();
        nodeB.sdk.close();
    }

    @Test
    void a_node_that_takes_over_a_crashed_nodes_saga_links_its_step_spans_to_the_original_trace() {
        SagaOrchestrator a = nodeA.tracing.bindTo(kit.orchestrator()).nodeId("node-a").leaseDuration(LEASE)
                .register(ship).build();
        Span request = nodeA.sdk.getTracer("test").spanBuilder("POST /shipments").startSpan();
        SagaExecution<Trail> execution;
        try (Scope ignored = request.makeCurrent()) {
            execution = a.start(ship, Trail.of("t"));
        }
        request.end();
        SagaTestKit.crash(a);

        SagaOrchestrator b = nodeB.tracing.bindTo(kit.orchestrator()).nodeId("node-b")
                .pollInterval(Duration.ofSeconds(5)).register(ship).build();
        timer.advance(LEASE.plusSeconds(5));

        assertThat(store.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        SpanData firstStep = nodeA.span("step s1");
        assertThat(firstStep.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        String sagaSpanId = firstStep.getParentSpanId();
        // Read back from the database.
        assertThat(store.find(execution.sagaId()).orElseThrow().metadata().get("traceparent"))
                .startsWith("00-" + firstStep.getTraceId() + "-" + sagaSpanId + "-");
        for (String name : List.of("step s2", "step s3")) {
            SpanData resumed = nodeB.span(name);
            assertThat(resumed.getTraceId()).as(name).isNotEqualTo(firstStep.getTraceId());
            assertThat(resumed.getAttributes().get(AttributeKey.booleanKey("sagaflow.resumed"))).as(name).isTrue();
            assertThat(resumed.getLinks()).as(name).singleElement().satisfies(link -> {
                assertThat(link.getSpanContext().getTraceId()).isEqualTo(firstStep.getTraceId());
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(sagaSpanId);
            });
        }
        assertThat(nodeB.span("step s2").getAttributes().get(AttributeKey.longKey("sagaflow.step.attempt")))
                .isEqualTo(2L);
        b.close();
    }

    @Test
    void a_reply_delivered_to_another_node_starts_spans_there_linked_to_the_original_trace() {
        SagaOrchestrator a = nodeA.tracing.bindTo(kit.orchestrator()).nodeId("node-a").register(approve).build();
        SagaOrchestrator b = nodeB.tracing.bindTo(kit.orchestrator()).nodeId("node-b").register(approve).build();
        Span request = nodeA.sdk.getTracer("test").spanBuilder("POST /orders").startSpan();
        SagaExecution<Trail> execution;
        try (Scope ignored = request.makeCurrent()) {
            execution = a.start(approve, Trail.of("t"));
        }
        request.end();
        Span consumer = nodeB.sdk.getTracer("test").spanBuilder("receive approval").startSpan();

        try (Scope ignored = consumer.makeCurrent()) {
            b.reply(SagaReply.success(execution.sagaId(), "request-approval", "approved"));
        }
        consumer.end();

        assertThat(store.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        SpanData asked = nodeA.span("step request-approval");
        SpanData confirmed = nodeB.span("step confirm");
        assertThat(confirmed.getParentSpanId()).isEqualTo(consumer.getSpanContext().getSpanId());
        assertThat(confirmed.getAttributes().get(AttributeKey.booleanKey("sagaflow.resumed"))).isTrue();
        assertThat(confirmed.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(asked.getParentSpanId());
        });
        a.close();
        b.close();
    }

    private static JdbcDataSource h2() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:tracing-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        return dataSource;
    }

    /** One process's tracing: its own SDK, exporter and {@link SagaTracing}. */
    private static final class Node {
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();
        final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        final SagaTracing tracing = SagaTracing.create(sdk);

        SpanData span(String name) {
            List<SpanData> spans = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name))
                    .toList();
            assertThat(spans).as("finished spans named '%s' among %s", name, exporter.getFinishedSpanItems())
                    .hasSize(1);
            return spans.get(0);
        }
    }
}
