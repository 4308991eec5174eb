package dev.sagaflow.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaListener;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.StepDefinition;
import dev.sagaflow.micrometer.SagaflowMetrics;
import dev.sagaflow.opentelemetry.SagaTracing;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.spring.boot.boot3.Boot3HealthIndicator;
import dev.sagaflow.spring.boot.internal.Boot4HealthIndicator;
import dev.sagaflow.spring.boot.internal.DeferredJdbcSagaStore;
import dev.sagaflow.spring.boot.internal.LeaseWatch;
import dev.sagaflow.spring.boot.internal.ManagedSagaOrchestrator;
import dev.sagaflow.spring.boot.internal.SagaflowHealthCheck;
import dev.sagaflow.spring.boot.internal.SpringTransactionBinding;
import dev.sagaflow.store.SagaStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures Sagaflow in a Spring Boot 4 (or 3.5) application. Every bean backs off when the application
 * defines its own of the same type:
 *
 * <ul>
 *   <li>{@code sagaStore} ({@link SagaStore}): the JDBC store on the application's {@code DataSource} (built on
 *       first use, so the application starts while the database is down), or, without a {@code DataSource}, an
 *       in-memory store (with a WARN: nothing survives a restart);</li>
 *   <li>{@code sagaOrchestrator} ({@link SagaOrchestrator}): registers every {@link SagaDefinition} bean, adds
 *       every {@link SagaListener}, {@link StepInterceptor} and {@link AttemptObserver} bean, uses a
 *       {@link SagaCodec} bean or the application's Jackson 2 {@code ObjectMapper} when there is one, applies
 *       {@code sagaflow.*}, then every {@link SagaOrchestratorCustomizer}; it starts and stops with the context
 *       (a {@code SmartLifecycle} that starts before the web server and stops after it). With the JDBC store,
 *       {@code local()} steps' JDBC work joins the step's store transaction (see the README);</li>
 *   <li>{@code sagaflowMetrics} ({@link SagaflowMetrics}) when there is a {@code MeterRegistry};</li>
 *   <li>{@code sagaTracing} ({@link SagaTracing}) when saga-opentelemetry is on the class path and there is an
 *       {@code OpenTelemetry} bean;</li>
 *   <li>{@code sagaflowHealthIndicator} (health group {@code sagaflow}) and {@code sagaflowEndpoint}
 *       ({@link SagaflowEndpoint}) with Actuator.</li>
 * </ul>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
        "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration"})
@ConditionalOnClass(SagaOrchestrator.class)
@ConditionalOnProperty(prefix = "sagaflow", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SagaflowProperties.class)
@Import({SagaStoreConfigurations.Jdbc.class, SagaStoreConfigurations.InMemory.class})
public class SagaflowAutoConfiguration {
    private static final String SAGA_TRACING = "dev.sagaflow.opentelemetry.SagaTracing";
    private static final String OPEN_TELEMETRY = "io.opentelemetry.api.OpenTelemetry";

    /** The orchestrator, started and stopped with the context. */
    @Bean
    @ConditionalOnMissingBean(SagaOrchestrator.class)
    public ManagedSagaOrchestrator sagaOrchestrator(SagaStore sagaStore, SagaflowProperties properties,
            ObjectProvider<SagaDefinition<?>> definitions, ObjectProvider<SagaListener> listeners,
            ObjectProvider<StepInterceptor> interceptors, ObjectProvider<AttemptObserver> observers,
            ObjectProvider<SagaCodec> codec, ObjectProvider<ObjectMapper> objectMapper,
            ObjectProvider<SagaflowMetrics> metrics, ObjectProvider<SagaOrchestratorCustomizer> customizers) {
        LeaseWatch watch = LeaseWatch.wrap(sagaStore, Clock.systemUTC());
        SagaflowMetrics sagaflowMetrics = metrics.getIfUnique();
        SagaStore store = sagaflowMetrics != null ? sagaflowMetrics.instrument(watch.asStore()) : watch.asStore();
        List<SagaDefinition<?>> registered = definitions.orderedStream().toList();
        return new ManagedSagaOrchestrator(watch, () -> {
            SagaOrchestrator.Builder builder = SagaOrchestrator.builder(store);
            registered.forEach(builder::register);
            if (properties.getNodeId() != null && !properties.getNodeId().isBlank()) {
                builder.nodeId(properties.getNodeId());
            }
            builder.leaseDuration(properties.getLeaseDuration()).pollInterval(properties.getPollInterval())
                    .shutdownTimeout(properties.getShutdownTimeout()).recoverOnStart(properties.isRecoverOnStart());
            if (properties.getWorkerThreads() != null) {
                builder.workerThreads(properties.getWorkerThreads());
            }
            SagaCodec sagaCodec = codec.getIfUnique();
            ObjectMapper mapper = objectMapper.getIfUnique();
            if (sagaCodec != null) {
                builder.codec(sagaCodec);
            } else if (mapper != null) {
                builder.objectMapper(mapper);
            }
            if (sagaStore instanceof DeferredJdbcSagaStore jdbc && ClassUtils.isPresent(
                    "org.springframework.jdbc.datasource.ConnectionHolder", getClass().getClassLoader())) {
                builder.attemptObserver(new SpringTransactionBinding(jdbc.dataSource(), localSteps(registered)));
            }
            if (sagaflowMetrics != null) {
                sagaflowMetrics.bindTo(builder);
            }
            listeners.orderedStream().forEach(builder::listener);
            interceptors.orderedStream().forEach(builder::interceptor);
            observers.orderedStream().forEach(builder::attemptObserver);
            customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
            watch.started();
            return builder.build();
        });
    }

    private static Set<String> localSteps(List<SagaDefinition<?>> definitions) {
        Set<String> local = new HashSet<>();
        for (SagaDefinition<?> definition : definitions) {
            for (StepDefinition<?> step : definition.steps()) {
                if (step.isLocal()) {
                    local.add(SpringTransactionBinding.key(definition.name(), step.name()));
                }
            }
        }
        return local;
    }

    /** Metrics into the application's meter registry. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnProperty(prefix = "sagaflow.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
    public SagaflowMetrics sagaflowMetrics(MeterRegistry registry, ObjectProvider<ObservationRegistry> observations,
            SagaflowProperties properties, ListableBeanFactory beanFactory) {
        SagaflowMetrics.Builder builder = SagaflowMetrics.builder(registry);
        ObservationRegistry observationRegistry = observations.getIfUnique();
        // With saga-opentelemetry making the spans, the observations stay off the application's registry, whose
        // tracing handler would make a second span for every step.
        if (observationRegistry != null && !sagaTracingActive(beanFactory, properties)) {
            builder.observationRegistry(observationRegistry);
        }
        return builder.build();
    }

    private static boolean sagaTracingActive(ListableBeanFactory beanFactory, SagaflowProperties properties) {
        ClassLoader loader = SagaflowAutoConfiguration.class.getClassLoader();
        return properties.getTracing().isEnabled() && ClassUtils.isPresent(SAGA_TRACING, loader)
                && ClassUtils.isPresent(OPEN_TELEMETRY, loader)
                && beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(OPEN_TELEMETRY, loader)).length > 0;
    }

    /** Spans through OpenTelemetry, when saga-opentelemetry is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {SAGA_TRACING, OPEN_TELEMETRY})
    @ConditionalOnProperty(prefix = "sagaflow.tracing", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class TracingConfiguration {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(OpenTelemetry.class)
        SagaTracing sagaTracing(OpenTelemetry openTelemetry) {
            return SagaTracing.create(openTelemetry);
        }

        @Bean
        @ConditionalOnBean(SagaTracing.class)
        @Order(0)
        SagaOrchestratorCustomizer sagaTracingCustomizer(SagaTracing tracing) {
            return tracing::bindTo;
        }
    }

    /** The health indicator on Spring Boot 4. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.sagaflow", name = "enabled", havingValue = "true",
            matchIfMissing = true)
    static class Boot4HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "sagaflowHealthIndicator")
        Boot4HealthIndicator sagaflowHealthIndicator(SagaOrchestrator orchestrator, SagaStore store,
                SagaflowProperties properties) {
            return new Boot4HealthIndicator(healthCheck(orchestrator, store, properties));
        }
    }

    /** The health indicator on Spring Boot 3. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.sagaflow", name = "enabled", havingValue = "true",
            matchIfMissing = true)
    static class Boot3HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "sagaflowHealthIndicator")
        Boot3HealthIndicator sagaflowHealthIndicator(SagaOrchestrator orchestrator, SagaStore store,
                SagaflowProperties properties) {
            return new Boot3HealthIndicator(healthCheck(orchestrator, store, properties));
        }
    }

    private static SagaflowHealthCheck healthCheck(SagaOrchestrator orchestrator, SagaStore store,
            SagaflowProperties properties) {
        LeaseWatch watch = orchestrator instanceof ManagedSagaOrchestrator managed ? managed.leaseWatch() : null;
        return new SagaflowHealthCheck(orchestrator, watch != null ? watch : LeaseWatch.wrap(store, Clock.systemUTC()),
                watch != null ? properties.getLeaseDuration() : null);
    }

    /** The Actuator endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class EndpointConfiguration {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        SagaflowEndpoint sagaflowEndpoint(SagaOrchestrator orchestrator) {
            return new SagaflowEndpoint(orchestrator);
        }
    }
}
