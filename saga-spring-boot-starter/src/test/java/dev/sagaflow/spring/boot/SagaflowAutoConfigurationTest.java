package dev.sagaflow.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.jdbc.JdbcDialect;
import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.opentelemetry.SagaTracing;
import dev.sagaflow.spring.boot.internal.DeferredJdbcSagaStore;
import dev.sagaflow.spring.boot.support.Health;
import dev.sagaflow.spring.boot.support.Orders;
import dev.sagaflow.spring.boot.support.Orders.Order;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SagaflowAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SagaflowAutoConfiguration.class))
            .withBean("createOrder", SagaDefinition.class, Orders::createOrder);

    @Test
    void with_a_data_source_the_orchestrator_runs_the_definition_beans_on_the_jdbc_store() {
        runner.withBean(DataSource.class, Orders::h2).withPropertyValues("sagaflow.jdbc.create-schema=true",
                "sagaflow.jdbc.table-prefix=boot_", "sagaflow.node-id=node-a").run(context -> {
                    assertThat(context).hasSingleBean(DeferredJdbcSagaStore.class);
                    SagaOrchestrator orchestrator = context.getBean(SagaOrchestrator.class);
                    @SuppressWarnings("unchecked")
                    SagaDefinition<Order> createOrder = context.getBean("createOrder", SagaDefinition.class);

                    assertThat(orchestrator.run(createOrder, new Order("o-1", 10)).status())
                            .isEqualTo(SagaStatus.COMPLETED);
                    assertThat(orchestrator.nodeId()).isEqualTo("node-a");
                    assertThat(context.getBean(SagaStore.class).toString()).contains("H2").contains("boot_");
                });
    }

    @Test
    void without_a_data_source_the_store_is_in_memory() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(InMemorySagaStore.class);
            @SuppressWarnings("unchecked")
            SagaDefinition<Order> createOrder = context.getBean("createOrder", SagaDefinition.class);
            assertThat(context.getBean(SagaOrchestrator.class).run(createOrder, new Order("o-1", 10)).status())
                    .isEqualTo(SagaStatus.COMPLETED);
        });
    }

    @Test
    void the_applications_own_beans_replace_the_auto_configured_ones() {
        InMemorySagaStore own = InMemorySagaStore.create();
        runner.withBean(DataSource.class, Orders::h2).withBean(SagaStore.class, () -> own)
                .withBean(SagaOrchestratorCustomizer.class, () -> builder -> builder.nodeId("customized"))
                .run(context -> {
                    assertThat(context).doesNotHaveBean(DeferredJdbcSagaStore.class);
                    assertThat(context.getBean(SagaStore.class)).isSameAs(own);
                    assertThat(context.getBean(SagaOrchestrator.class).nodeId()).isEqualTo("customized");
                });
        runner.withBean(SagaOrchestrator.class, () -> SagaOrchestrator.builder(InMemorySagaStore.create())
                .nodeId("mine").build()).run(context ->
                        assertThat(context.getBean(SagaOrchestrator.class).nodeId()).isEqualTo("mine"));
    }

    @Test
    void sagaflow_enabled_false_configures_nothing() {
        runner.withPropertyValues("sagaflow.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(SagaOrchestrator.class).doesNotHaveBean(SagaStore.class));
    }

    @Test
    void the_orchestrator_starts_and_stops_with_the_context() {
        runner.run(context -> {
            SagaOrchestrator orchestrator = context.getBean(SagaOrchestrator.class);
            assertThat(orchestrator).hasToString("ManagedSagaOrchestrator[node " + orchestrator.nodeId() + "]");
            context.close();
            assertThat(orchestrator).hasToString("ManagedSagaOrchestrator[stopped]");
        });
    }

    @Test
    void with_a_meter_registry_sagas_are_measured() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(SagaflowMetrics.class);
            @SuppressWarnings("unchecked")
            SagaDefinition<Order> createOrder = context.getBean("createOrder", SagaDefinition.class);
            context.getBean(SagaOrchestrator.class).run(createOrder, new Order("o-1", 10));

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get(SagaflowMetrics.SAGA_EXECUTION).tags("saga", "create-order", "outcome", "completed")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.get(SagaflowMetrics.STEP_EXECUTION).tags("step", "approve-order").timer().count())
                    .isEqualTo(1);
        });
    }

    @Test
    void with_an_opentelemetry_bean_sagas_are_traced() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        runner.withBean(OpenTelemetry.class, () -> OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider
                .builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()).run(context -> {
                    assertThat(context).hasSingleBean(SagaTracing.class);
                    @SuppressWarnings("unchecked")
                    SagaDefinition<Order> createOrder = context.getBean("createOrder", SagaDefinition.class);
                    context.getBean(SagaOrchestrator.class).run(createOrder, new Order("o-1", 10));

                    assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
                            .containsExactly("step reserve-credit", "step approve-order", "saga create-order");
                });
    }

    @Test
    void the_health_indicator_is_up_while_the_store_answers_and_the_leases_are_current() {
        runner.withBean(DataSource.class, Orders::h2).withPropertyValues("sagaflow.jdbc.create-schema=true")
                .run(context -> {
                    var health = Health.of(context);
                    assertThat(health.getKey()).isEqualTo("UP");
                    assertThat(health.getValue()).containsEntry("storeReachable", true)
                            .containsEntry("leasesCurrent", true).containsKey("nodeId");
                });
    }

    @Test
    void the_properties_are_documented_for_ide_completion() throws Exception {
        String metadata;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(metadata).contains("\"sagaflow.enabled\"", "\"sagaflow.node-id\"", "\"sagaflow.lease-duration\"",
                "\"sagaflow.poll-interval\"", "\"sagaflow.shutdown-timeout\"", "\"sagaflow.worker-threads\"",
                "\"sagaflow.jdbc.table-prefix\"", "\"sagaflow.jdbc.create-schema\"", "\"sagaflow.jdbc.dialect\"",
                "\"sagaflow.jdbc.group-commit\"", "\"sagaflow.memory.retain-finished\"", "\"sagaflow.metrics.enabled\"",
                "\"sagaflow.tracing.enabled\"");
        assertThat(JdbcDialect.valueOf("POSTGRESQL")).isNotNull();
    }
}
