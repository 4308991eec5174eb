package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Trail;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefinitionTest {
    private static final StepAction<Trail> NOOP = (trail, context) -> trail;

    @Test
    void a_blank_saga_name_or_missing_type_is_rejected() {
        assertThatThrownBy(() -> Saga.define(" ", Trail.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("saga name cannot be null or blank");
        assertThatThrownBy(() -> Saga.define("s", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("saga 's': data type cannot be null");
    }

    @Test
    void a_saga_without_steps_is_rejected() {
        assertThatThrownBy(() -> Saga.define("empty", Trail.class).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("saga 'empty' has no steps");
    }

    @Test
    void duplicate_step_names_are_rejected_naming_saga_and_step() {
        assertThatThrownBy(() -> Saga.define("dup", Trail.class)
                .step("a").action(NOOP).step("a").action(NOOP).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("saga 'dup' step 'a': duplicate step name");
    }

    @Test
    void a_step_without_an_action_is_rejected() {
        assertThatThrownBy(() -> Saga.define("no-action", Trail.class).step("a").step("b").action(NOOP).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("saga 'no-action' step 'a': has no action");
    }

    @Test
    void a_compensation_on_or_after_the_pivot_is_rejected() {
        assertThatThrownBy(() -> Saga.define("p", Trail.class)
                .pivot("go").action(NOOP).compensation(NOOP).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("saga 'p' step 'go': the pivot cannot have a compensation");
        assertThatThrownBy(() -> Saga.define("p", Trail.class)
                .pivot("go").action(NOOP).step("after").action(NOOP).compensation(NOOP).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("saga 'p' step 'after': a step after the pivot cannot have a compensation");
    }

    @Test
    void two_pivots_are_rejected() {
        assertThatThrownBy(() -> Saga.define("p", Trail.class)
                .pivot("one").action(NOOP).pivot("two").action(NOOP).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("saga 'p' step 'two': a saga has at most one pivot, and 'one' is already one");
    }

    @Test
    void setting_something_twice_is_an_error_rather_than_a_silent_replacement() {
        SagaDefinition.StepBuilder<Trail> step = Saga.define("twice", Trail.class).step("a").action(NOOP);
        assertThatThrownBy(() -> step.action(NOOP)).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': action is already set");
        assertThatThrownBy(() -> step.retry(RetryPolicy.none()).retry(RetryPolicy.none()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("retry policy is already set");
        assertThatThrownBy(() -> step.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be > 0");
        assertThatThrownBy(() -> step.action(null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Saga.define("v", Trail.class).version(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("saga 'v': version must be >= 1, was 0");
    }

    @Test
    void setting_a_compensation_timeout_reply_retry_probe_or_local_twice_is_an_error_naming_the_setting() {
        SagaDefinition.StepBuilder<Trail> step = Saga.define("twice", Trail.class).step("a").action(NOOP)
                .compensation(NOOP).timeout(Duration.ofSeconds(1)).awaitReply()
                .compensationRetry(RetryPolicy.none()).probe((data, context) -> ProbeOutcome.UNKNOWN).local();

        assertThatThrownBy(() -> step.compensation(NOOP)).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': compensation is already set");
        assertThatThrownBy(() -> step.asyncCompensation((t, c) -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': compensation is already set");
        assertThatThrownBy(() -> step.compensationSend("q", (t, c) -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': compensation is already set");
        assertThatThrownBy(() -> step.timeout(Duration.ofSeconds(2))).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': timeout is already set");
        assertThatThrownBy(() -> step.awaitReply()).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': awaited reply is already set");
        assertThatThrownBy(() -> step.compensationRetry(RetryPolicy.none())).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': compensation retry policy is already set");
        assertThatThrownBy(() -> step.probe((data, context) -> ProbeOutcome.APPLIED))
                .isInstanceOf(IllegalStateException.class).hasMessage("saga 'twice' step 'a': probe is already set");
        assertThatThrownBy(step::local).isInstanceOf(IllegalStateException.class)
                .hasMessage("saga 'twice' step 'a': local is already set");
    }

    @Test
    void an_async_action_a_command_or_a_child_counts_as_the_action_already_set() {
        SagaDefinition<Trail> child = Saga.define("child", Trail.class).step("c").action(NOOP).build();
        SagaDefinition.StepBuilder<Trail> async = Saga.define("twice", Trail.class).step("a")
                .asyncAction((t, c) -> null);
        SagaDefinition.StepBuilder<Trail> command = Saga.define("twice", Trail.class).step("a")
                .send("q", (t, c) -> null);
        SagaDefinition.StepBuilder<Trail> parent = Saga.define("twice", Trail.class).step("a")
                .child(child, (t, c) -> t, (t, r) -> t);

        for (SagaDefinition.StepBuilder<Trail> step : List.of(async, command, parent)) {
            assertThatThrownBy(() -> step.action(NOOP)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("saga 'twice' step 'a': action is already set");
        }
    }

    @Test
    void a_local_step_must_be_synchronous_and_cannot_await_a_reply() {
        assertThatThrownBy(() -> Saga.define("l", Trail.class).step("a").local()
                .asyncAction((t, c) -> java.util.concurrent.CompletableFuture.completedFuture(t)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("saga 'l' step 'a': a local step runs inside the store's transaction");
        assertThatThrownBy(() -> Saga.define("l", Trail.class).step("a").local().action(NOOP).awaitReply().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Saga.define("l", Trail.class).step("a").local().action(NOOP).build().steps().get(0).isLocal())
                .isTrue();
    }

    @Test
    void kinds_follow_the_pivot_and_defaults_are_applied() {
        SagaDefinition<Trail> saga = Saga.define("kinds", Trail.class)
                .step("read").action(NOOP)
                .step("reserve").action(NOOP).compensation(NOOP)
                .pivot("approve").action(NOOP)
                .step("notify").action(NOOP)
                .build();

        assertThat(saga.steps()).extracting(StepDefinition::kind).containsExactly(StepKind.UNCOMPENSATED,
                StepKind.COMPENSATABLE, StepKind.PIVOT, StepKind.RETRIABLE);
        assertThat(saga.pivotIndex()).isEqualTo(2);
        assertThat(saga.steps().get(0).retryPolicy().maxAttempts()).isEqualTo(1);
        assertThat(saga.steps().get(3).retryPolicy().maxAttempts()).isEqualTo(10);
        assertThat(saga.stepNames()).containsExactly("read", "reserve", "approve", "notify");
    }

    @Test
    void a_built_definition_is_not_changed_by_later_builder_calls() {
        SagaDefinition.Builder<Trail> builder = Saga.define("frozen", Trail.class);
        builder.step("a").action(NOOP);
        SagaDefinition<Trail> built = builder.build();
        builder.step("b").action(NOOP);

        assertThat(built.stepNames()).containsExactly("a");
        assertThat(builder.build().stepNames()).containsExactly("a", "b");
        assertThatThrownBy(() -> built.steps().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void the_fingerprint_changes_with_step_names_kinds_and_version_but_not_with_handlers() {
        SagaDefinition<Trail> one = Saga.define("fp", Trail.class).step("a").action(NOOP).build();
        SagaDefinition<Trail> sameSteps = Saga.define("fp", Trail.class).step("a").action((t, c) -> t.mark("x")).build();
        SagaDefinition<Trail> renamed = Saga.define("fp", Trail.class).step("b").action(NOOP).build();
        SagaDefinition<Trail> newVersion = Saga.define("fp", Trail.class).version(2).step("a").action(NOOP).build();
        SagaDefinition<Trail> pivot = Saga.define("fp", Trail.class).pivot("a").action(NOOP).build();

        assertThat(one.fingerprint()).isEqualTo(sameSteps.fingerprint()).hasSize(16);
        assertThat(one.fingerprint()).isNotIn(renamed.fingerprint(), newVersion.fingerprint(), pivot.fingerprint());
    }
}
