package dev.sagaflow.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every span Sagaflow makes, by name, with the exact set of its attribute keys: the catalogue the README lists. A
 * span or attribute added, renamed or dropped fails here until the table (and the README) say so.
 */
class SpanCatalogueTest {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    private final SagaTestKit kit = SagaTestKit.create();

    private final SagaDefinition<Trail> order = Saga.define("create-order", Trail.class)
            .step("create-pending-order").action((trail, context) -> trail.mark("created"))
            .compensation((trail, context) -> trail.mark("rejected"))
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
    void every_span_name_comes_with_exactly_its_attribute_keys() {
        // One saga compensated; one completed on a second node after the first handed it over.
        SagaTracing first = SagaTracing.create(openTelemetry);
        SagaOrchestrator node1 = first.bindTo(kit.orchestrator()).register(order).build();
        node1.run(order, Trail.of("poor"));
        SagaExecution<Trail> handedOver = node1.start(order, Trail.of("rich"));
        SagaTestKit.crash(node1);
        first.close();
        SagaOrchestrator node2 = SagaTracing.create(openTelemetry).bindTo(kit.orchestrator()).register(order).build();
        node2.reply(SagaReply.success(handedOver.sagaId(), "wait-for-approval", "ok"));

        String saga = "sagaflow.saga.name sagaflow.saga.id";
        String step = saga + " sagaflow.step.name sagaflow.step.phase sagaflow.step.attempt sagaflow.step.outcome";
        assertThat(catalogue()).containsExactlyInAnyOrder(
                row("saga create-order", saga + " sagaflow.saga.outcome sagaflow.detail"),  // compensated
                row("saga create-order", saga + " sagaflow.saga.outcome"),                  // handed over
                row("step create-pending-order", step),
                row("step reserve-credit", step),
                row("step wait-for-approval", step),
                row("compensate create-pending-order", step),
                row("step approve-order", step + " sagaflow.resumed"));                     // on node 2
        node2.close();
    }

    /** Each finished span as "name: its attribute keys, sorted", without repeats. */
    private List<String> catalogue() {
        TreeSet<String> rows = new TreeSet<>();
        for (SpanData span : exporter.getFinishedSpanItems()) {
            rows.add(span.getName() + ": " + String.join(" ", span.getAttributes().asMap().keySet().stream()
                    .map(AttributeKey::getKey).sorted().toList()));
        }
        return List.copyOf(rows);
    }

    private static String row(String name, String keys) {
        return name + ": " + String.join(" ", new TreeSet<>(List.of(keys.split(" "))));
    }
}
