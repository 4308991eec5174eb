package dev.sagaflow.internal;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaListener;
import dev.sagaflow.spi.AttemptObserver;
import dev.sagaflow.spi.MetadataProvider;
import dev.sagaflow.spi.SagaCodec;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.spi.StepInterceptor;
import dev.sagaflow.store.SagaStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * The settings an orchestrator is built with; {@code executor}, {@code timer} and {@code errorRedactor} may be
 * null (defaults).
 */
public record OrchestratorConfig(
        SagaStore store,
        List<SagaDefinition<?>> definitions,
        List<SagaListener> listeners,
        List<StepInterceptor> interceptors,
        List<AttemptObserver> attemptObservers,
        List<MetadataProvider> metadataProviders,
        Executor executor,
        int workerThreads,
        SagaTimer timer,
        SagaCodec codec,
        String nodeId,
        Duration leaseDuration,
        Duration pollInterval,
        Duration shutdownTimeout,
        boolean recoverOnStart,
        Duration timeoutGrace,
        int maxDataLength,
        int maxErrorLength,
        UnaryOperator<String> errorRedactor) {
}
