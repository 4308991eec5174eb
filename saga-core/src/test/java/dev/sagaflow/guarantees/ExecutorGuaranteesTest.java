package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The host's executor and the orchestrator's own lifecycle (issue 10, findings 7 and 12). */
class ExecutorGuaranteesTest {

    /** Finding 7: tasks a saturated executor rejects are run later, and the poll for orphans goes on. */
    @Test
    void tasks_a_saturated_executor_rejects_are_run_later_and_the_poll_goes_on() {
        ManualTimer timer = new ManualTimer();
        AtomicInteger claims = new AtomicInteger();
        ForwardingSagaStore store = new ForwardingSagaStore(InMemorySagaStore.builder().clock(timer.clock()).build()) {
            @Override
            public List<SagaInstance> claim(ClaimRequest request) {
                claims.incrementAndGet();
                return super.claim(request);
            }
        };
        AtomicInteger submitted = new AtomicInteger();
        java.util.concurrent.Executor saturated = task -> {
            if (submitted.incrementAndGet() % 2 == 0) {
                throw new RejectedExecutionException("pool saturated");
            }
            task.run();
        };
        SagaDefinition<Trail> saga = Saga.define("rejected", Trail.class)
                .step("s1").action((trail, context) -> {
                    if (context.attempt() < 3) {
                        throw new IllegalStateException("participant down");
                    }
                    return trail.mark("done");
                }).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 5))
                .build();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer).executor(saturated)
                .pollInterval(Duration.ofSeconds(10)).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            int claimsBefore = claims.get();

            timer.advance(Duration.ofSeconds(100));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
            assertThat(claims.get() - claimsBefore).as("polls in 100 s, despite rejected tasks").isGreaterThanOrEqualTo(9);
        }
    }

    /** Finding 12: run() racing close() always returns or throws, it never waits forever. */
    @Test
    void run_racing_close_returns_or_throws_closed() throws Exception {
        SagaDefinition<Trail> saga = Saga.define("racing-close", Trail.class)
                .step("s1").action((trail, context) -> trail.mark("s1"))
                .step("s2").action((trail, context) -> trail.mark("s2"))
                .build();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 50; round++) {
                SagaOrchestrator node = SagaOrchestrator.builder(InMemorySagaStore.create()).register(saga)
                        .shutdownTimeout(Duration.ofMillis(200)).build();
                List<Future<?>> runs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(callers.submit(() -> {
                        for (int n = 0; n < 20; n++) {
                            try {
                                node.run(saga, Trail.of("t"));
                            } catch (OrchestratorClosedException | CompletionException expected) {
                                return;
                            }
                        }
                    }));
                }
                Thread.sleep(round % 5);
                node.close();
                for (Future<?> run : runs) {
                    run.get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
