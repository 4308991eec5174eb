package dev.sagaflow.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepContext;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AttemptObserverTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** Records every call as text, and which thread-local value the handler saw. */
    private final ThreadLocal<String> bound = new ThreadLocal<>();
    private final AttemptObserver recording = context -> {
        String name = (context.isCompensation() ? "undo " : "") + context.stepName() + "#" + context.attempt();
        calls.add("starting " + name);
        bound.set(name);
        return new AttemptObserver.Scope() {
            @Override
            public Map<String, String> headers() {
                return Map.of("traceparent", "tp-" + name);
            }

            @Override
            public void handlerReturned() {
                bound.remove();
                calls.add("returned " + name);
            }

            @Override
            public void attemptEnded(Throwable error) {
                calls.add("ended " + name + (error == null ? " ok" : " " + error.getMessage()));
            }
        };
    };

    @Test
    void observers_see_every_attempt_before_and_after_its_handler_with_its_outcome() {
        SagaDefinition<Trail> saga = Saga.define("observed", Trail.class)
                .step("s1").action(this::handler).compensation(this::handler)
                .step("s2").action(this::handler).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .build();
        kit.faults().failActionAlways("s2", new IOException("down"));
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).attemptObserver(recording).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        kit.timer().advance(Duration.ofSeconds(1));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPENSATED);
        // s2's attempts fail in the fault injector (an interceptor), before any observer is called.
        assertThat(calls).containsExactly(
                "starting s1#1", "handler s1 saw s1#1 and tp-s1#1", "returned s1#1", "ended s1#1 ok",
                "starting undo s1#1", "handler s1 saw undo s1#1 and tp-undo s1#1", "returned undo s1#1",
                "ended undo s1#1 ok");
        assertThat(bound.get()).isNull();
    }

    @Test
    void a_failing_handler_is_reported_as_the_attempts_error() {
        SagaDefinition<Trail> saga = Saga.define("failing", Trail.class)
                .step("s1").action((trail, context) -> {
                    throw new IllegalStateException("no stock");
                })
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).attemptObserver(recording).build();

        orchestrator.run(saga, Trail.of("t"));

        assertThat(calls).containsExactly("starting s1#1", "returned s1#1", "ended s1#1 no stock");
    }

    @Test
    void an_asynchronous_attempt_ends_when_its_stage_completes_not_when_the_handler_returns() {
        CompletableFuture<Trail> reply = new CompletableFuture<>();
        SagaDefinition<Trail> saga = Saga.define("async", Trail.class)
                .step("s1").asyncAction((trail, context) -> reply)
                .build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).attemptObserver(recording).build();

        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        assertThat(calls).containsExactly("starting s1#1", "returned s1#1");

        reply.complete(Trail.of("done"));

        assertThat(execution.outcome().join().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(calls).containsExactly("starting s1#1", "returned s1#1", "ended s1#1 ok");
    }

    @Test
    void a_throwing_observer_never_changes_what_the_saga_does() {
        SagaDefinition<Trail> saga = Saga.define("robust", Trail.class).step("s1").action(this::handler).build();
        AttemptObserver throwing = context -> {
            throw new IllegalStateException("observer bug");
        };
        AttemptObserver throwingScope = context -> new AttemptObserver.Scope() {
            @Override
            public void attemptEnded(Throwable error) {
                throw new IllegalStateException("scope bug");
            }
        };
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).attemptObserver(throwing)
                .attemptObserver(throwingScope).attemptObserver(recording).build();

        SagaOutcome<Trail> outcome = orchestrator.run(saga, Trail.of("t"));

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(calls).contains("ended s1#1 ok");
    }

    @Test
    void without_observers_the_handler_sees_no_headers() {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        SagaDefinition<Trail> saga = Saga.define("plain", Trail.class).step("s1").action((trail, context) -> {
            seen.add(context.headers());
            return trail;
        }).build();

        kit.orchestrator().register(saga).build().run(saga, Trail.of("t"));

        assertThat(seen).containsExactly(Map.of());
    }

    private Trail handler(Trail trail, StepContext context) {
        calls.add("handler " + context.stepName() + " saw " + bound.get() + " and " + context.headers().get("traceparent"));
        return trail.mark(context.stepName());
    }
}
