package dev.sagaflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.ProbeOutcome;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.internal.Transitions.Aborted;
import dev.sagaflow.internal.Transitions.Env;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.Failed;
import dev.sagaflow.internal.Transitions.MarkedFailed;
import dev.sagaflow.internal.Transitions.OperatorRetried;
import dev.sagaflow.internal.Transitions.ProbeCause;
import dev.sagaflow.internal.Transitions.Probed;
import dev.sagaflow.internal.Transitions.Reopened;
import dev.sagaflow.internal.Transitions.ReplyApplied;
import dev.sagaflow.internal.Transitions.ReplyRefused;
import dev.sagaflow.internal.Transitions.Resumed;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Then;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime's rules, one row per rule: from a state, an event leads to a state, an action and history entries.
 * No threads, timers or store: {@link Transitions#decide} is a pure function.
 *
 * <p>A state is written {@code "STATUS step:STATUS step:STATUS ..."}; after a step's status, {@code !} means it
 * may have taken effect, {@code ~} that it waits for a retry (its wake-up is in the future), {@code *} that its
 * attempt runs on the deciding node now, and {@code #n} that n attempts were made (default 1 once started).
 */
class TransitionsTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final JacksonCodec CODEC = new JacksonCodec(new ObjectMapper());

    /** s1, s2 (3 attempts) and ask (awaits a reply) before the pivot p, then r (3 attempts) after it. */
    private static final SagaDefinition<String> LINEAR = Saga.define("linear", String.class)
            .step("s1").action((d, c) -> d).compensation((d, c) -> d)
            .step("s2").action((d, c) -> d).compensation((d, c) -> d).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 3))
            .step("v").action((d, c) -> d)
            .step("ask").action((d, c) -> d).compensation((d, c) -> d).awaitReply()
            .pivot("p").action((d, c) -> d)
            .step("r").action((d, c) -> d).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 3))
            .build();

    /** s0, then group g of b1, b2, b3 (two at a time), then s4. */
    private static final SagaDefinition<String> GROUP = Saga.define("group", String.class)
            .step("s0").action((d, c) -> d).compensation((d, c) -> d)
            .parallel("g", (d, branch, r) -> d, branches -> branches.maxParallel(2)
                    .step("b1").action((d, c) -> d).compensation((d, c) -> d)
                    .step("b2").action((d, c) -> d).compensation((d, c) -> d)
                    .step("b3").action((d, c) -> d).compensation((d, c) -> d))
            .step("s4").action((d, c) -> d).compensation((d, c) -> d)
            .build();

    /** A child saga without pivot: c1, c2, and c3 without compensation. */
    private static final SagaDefinition<String> CHILD = Saga.define("child", String.class)
            .step("c1").action((d, c) -> d).compensation((d, c) -> d)
            .step("c2").action((d, c) -> d).compensation((d, c) -> d)
            .step("c3").action((d, c) -> d)
            .build();

    static Stream<Arguments> rules() {
        return Stream.of(
                // ---- forward
                row("a step that succeeds starts the next one", LINEAR,
                        "RUNNING s1:RUNNING s2:PENDING v:PENDING ask:PENDING p:PENDING r:PENDING", ok(0),
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_SUCCEEDED),
                row("the last step that succeeds completes the saga", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:RUNNING", ok(5),
                        "COMPLETED s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:SUCCEEDED", Then.NONE,
                        SagaEventType.STEP_SUCCEEDED, SagaEventType.SAGA_COMPLETED),
                row("an awaiting step's action that returns waits for the reply", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:RUNNING p:PENDING r:PENDING", ok(3),
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:AWAITING_REPLY p:PENDING r:PENDING",
                        Then.AWAIT_REPLY, SagaEventType.STEP_AWAITING_REPLY),
                row("a success reply completes the awaiting step", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:AWAITING_REPLY p:PENDING r:PENDING",
                        new ReplyApplied(3, "merged"),
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:RUNNING r:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_SUCCEEDED),
                row("a failed attempt with budget left is retried later", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", fail(1, false, true),
                        "RUNNING s1:SUCCEEDED s2:RUNNING~ v:PENDING ask:PENDING p:PENDING r:PENDING", Then.WAKE,
                        SagaEventType.STEP_RETRY_SCHEDULED),
                row("a timed-out attempt retried later may have taken effect", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", fail(1, true, true),
                        "RUNNING s1:SUCCEEDED s2:RUNNING!~ v:PENDING ask:PENDING p:PENDING r:PENDING", Then.WAKE,
                        SagaEventType.STEP_RETRY_SCHEDULED),
                // ---- giving up before the pivot
                row("a step whose budget ran out that failed cleanly is not compensated; the earlier ones are", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING#3 v:PENDING ask:PENDING p:PENDING r:PENDING",
                        fail(1, false, true),
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_FAILED),
                row("a rejection is never retried, whatever the budget", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", fail(1, false, false),
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_FAILED),
                row("a step that may have taken effect is compensated first", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", fail(1, true, false),
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_FAILED),
                row("a failure reply fails the awaiting step cleanly", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:AWAITING_REPLY p:PENDING r:PENDING",
                        new ReplyRefused(3, "no", false),
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING v:SUCCEEDED ask:FAILED p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_FAILED),
                row("the first step failing cleanly compensates nothing", LINEAR,
                        "RUNNING s1:RUNNING s2:PENDING v:PENDING ask:PENDING p:PENDING r:PENDING", fail(0, false, false),
                        "COMPENSATED s1:FAILED s2:PENDING v:PENDING ask:PENDING p:PENDING r:PENDING", Then.NONE,
                        SagaEventType.STEP_FAILED, SagaEventType.SAGA_COMPENSATED),
                row("the pivot giving up compensates the steps before it", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:RUNNING r:PENDING",
                        fail(4, false, false),
                        "COMPENSATING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:COMPENSATING p:FAILED r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_FAILED),
                // ---- after the pivot
                row("a step after the pivot that gives up leaves the saga FAILED, nothing compensated", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:RUNNING",
                        fail(5, false, false),
                        "FAILED s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:FAILED", Then.NONE,
                        SagaEventType.STEP_FAILED, SagaEventType.SAGA_FAILED),
                // ---- compensating
                row("a compensation that succeeds moves to the next older step that needs one", LINEAR,
                        "COMPENSATING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:COMPENSATING p:FAILED r:PENDING",
                        new Succeeded(3, true, null, null),
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING v:SUCCEEDED ask:COMPENSATED p:FAILED r:PENDING",
                        Then.ATTEMPT, SagaEventType.COMPENSATION_SUCCEEDED),
                row("the last compensation ends the saga COMPENSATED", LINEAR,
                        "COMPENSATING s1:COMPENSATING s2:COMPENSATED v:SUCCEEDED ask:FAILED p:PENDING r:PENDING",
                        new Succeeded(0, true, null, null),
                        "COMPENSATED s1:COMPENSATED s2:COMPENSATED v:SUCCEEDED ask:FAILED p:PENDING r:PENDING", Then.NONE,
                        SagaEventType.COMPENSATION_SUCCEEDED, SagaEventType.SAGA_COMPENSATED),
                row("a failed compensation with budget left is retried later", LINEAR,
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Failed(0, true, new IllegalStateException("down"), "down", false, true),
                        "COMPENSATING s1:COMPENSATING~ s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING", Then.WAKE,
                        SagaEventType.COMPENSATION_RETRY_SCHEDULED),
                row("a compensation that gives up leaves the saga FAILED for an operator", LINEAR,
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Failed(0, true, new IllegalStateException("down"), "down", false, false),
                        "FAILED s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING", Then.NONE,
                        SagaEventType.COMPENSATION_GAVE_UP, SagaEventType.SAGA_FAILED),
                // ---- operators and the deadline
                row("an abort gives up the step under way as possibly done and compensates", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", new Aborted("stop"),
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.SAGA_ABORTED, SagaEventType.STEP_FAILED),
                row("an abort of a step waiting for its retry gives it up as it is", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING~ v:PENDING ask:PENDING p:PENDING r:PENDING", new Aborted("stop"),
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.SAGA_ABORTED, SagaEventType.STEP_FAILED),
                row("an operator's retry resumes a stuck compensation", LINEAR,
                        "FAILED s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new OperatorRetried(),
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING", Then.ATTEMPT,
                        SagaEventType.SAGA_RETRIED),
                row("an operator's retry restarts a stuck step after the pivot", LINEAR,
                        "FAILED s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:FAILED",
                        new OperatorRetried(),
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:RUNNING", Then.ATTEMPT,
                        SagaEventType.SAGA_RETRIED),
                row("a saga that cannot go on is marked FAILED as it is", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new MarkedFailed("unreadable"),
                        "FAILED s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", Then.NONE,
                        SagaEventType.SAGA_FAILED),
                // ---- recovery and probes
                row("a step found running after a crash runs again as possibly done", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING", new Resumed(),
                        "RUNNING s1:SUCCEEDED s2:RUNNING! v:PENDING ask:PENDING p:PENDING r:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_RESUMED),
                row("a step waiting for its retry is left to its wake-up on recovery", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING~ v:PENDING ask:PENDING p:PENDING r:PENDING", new Resumed(),
                        "RUNNING s1:SUCCEEDED s2:RUNNING~ v:PENDING ask:PENDING p:PENDING r:PENDING", null, null),
                row("a timed-out step its probe says took effect succeeds", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Probed(1, ProbeCause.TIMED_OUT, ProbeOutcome.APPLIED, null),
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:RUNNING ask:PENDING p:PENDING r:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_PROBED, SagaEventType.STEP_SUCCEEDED),
                row("a compensation a takeover finds due is skipped when the probe says the action did not take effect",
                        LINEAR, "COMPENSATING s1:SUCCEEDED s2:COMPENSATING! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Resumed(Map.of(1, ProbeOutcome.NOT_APPLIED)),
                        "COMPENSATING s1:COMPENSATING s2:COMPENSATED! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_PROBED, SagaEventType.COMPENSATION_SUCCEEDED),
                row("a compensation a takeover finds due runs when the probe says the action took effect", LINEAR,
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Resumed(Map.of(1, ProbeOutcome.APPLIED)),
                        "COMPENSATING s1:SUCCEEDED s2:COMPENSATING! v:PENDING ask:PENDING p:PENDING r:PENDING",
                        Then.ATTEMPT, SagaEventType.STEP_PROBED, SagaEventType.STEP_RESUMED),
                // ---- parallel groups
                row("a group starts as many branches as may run at once", GROUP,
                        "RUNNING s0:RUNNING b1:PENDING b2:PENDING b3:PENDING s4:PENDING", ok(0),
                        "RUNNING s0:SUCCEEDED b1:RUNNING b2:RUNNING b3:PENDING s4:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_SUCCEEDED),
                row("a branch that succeeds lets the next branch start", GROUP,
                        "RUNNING s0:SUCCEEDED b1:RUNNING* b2:RUNNING* b3:PENDING s4:PENDING", ok(1),
                        "RUNNING s0:SUCCEEDED b1:SUCCEEDED b2:RUNNING b3:RUNNING s4:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_SUCCEEDED),
                row("the group's last branch to succeed starts the step after it", GROUP,
                        "RUNNING s0:SUCCEEDED b1:SUCCEEDED b2:RUNNING* b3:SUCCEEDED s4:PENDING", ok(2),
                        "RUNNING s0:SUCCEEDED b1:SUCCEEDED b2:SUCCEEDED b3:SUCCEEDED s4:RUNNING", Then.ATTEMPT,
                        SagaEventType.STEP_SUCCEEDED),
                row("a branch giving up gives up its siblings: one running here possibly done, one waiting cleanly",
                        GROUP, "RUNNING s0:SUCCEEDED b1:RUNNING* b2:RUNNING*~ b3:RUNNING* s4:PENDING",
                        fail(1, false, false),
                        "COMPENSATING s0:SUCCEEDED b1:FAILED b2:FAILED b3:COMPENSATING! s4:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_FAILED, SagaEventType.STEP_FAILED, SagaEventType.STEP_FAILED),
                row("a due branch not started here is given up as not done", GROUP,
                        "RUNNING s0:SUCCEEDED b1:RUNNING* b2:RUNNING b3:PENDING s4:PENDING", fail(1, false, false),
                        "COMPENSATING s0:COMPENSATING b1:FAILED b2:FAILED b3:PENDING s4:PENDING", Then.ATTEMPT,
                        SagaEventType.STEP_FAILED, SagaEventType.STEP_FAILED),
                // ---- children
                row("a COMPLETED child is reopened to compensate its steps that have a compensation", CHILD,
                        "COMPLETED c1:SUCCEEDED c2:SUCCEEDED c3:SUCCEEDED", new Reopened("parent rolls back"),
                        "COMPENSATING c1:SUCCEEDED c2:COMPENSATING c3:SUCCEEDED", Then.ATTEMPT,
                        SagaEventType.SAGA_REOPENED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void each_rule_maps_a_state_and_an_event_to_one_transition(String rule, SagaDefinition<String> definition,
            String given, Event event, String expected, Then then, List<SagaEventType> history) {
        Transition transition = Transitions.decide(definition, instance(definition, given), event, env(given));

        assertThat(describe(transition.next())).as(rule).isEqualTo(expected);
        if (then != null) {
            assertThat(transition.then()).as(rule).isEqualTo(then);
        }
        if (history != null) {
            assertThat(transition.history()).extracting(HistoryEntry::type).as(rule).containsExactlyElementsOf(history);
        }
        assertThat(transition.next().updatedAt()).isEqualTo(NOW);
        assertThat(transition.next().owner()).isEqualTo(transition.next().status().isLive() ? "node" : null);
        assertThat(transition.next().version()).isEqualTo(8);
    }

    /** What the table's notation does not show: the step a compensation gave up on keeps the failure, due nowhere. */
    @Test
    void a_compensation_that_gives_up_leaves_its_step_with_the_failure_and_no_wake_up() {
        SagaInstance given = instance(LINEAR, "COMPENSATING s1:COMPENSATING~ s2:FAILED v:PENDING ask:PENDING p:PENDING"
                + " r:PENDING");

        Transition transition = Transitions.decide(LINEAR, given,
                new Failed(0, true, new IllegalStateException("down"), "down", false, false), env("x"));

        StepState s1 = transition.next().steps().get(0);
        assertThat(s1.status()).isEqualTo(StepStatus.COMPENSATING);
        assertThat(s1.error()).isEqualTo("down");
        assertThat(s1.wakeAt()).as("nothing is due: an operator decides").isNull();
    }

    /** An operator's retry gives a compensation that gave up a fresh budget, due now. */
    @Test
    void an_operators_retry_gives_a_stuck_compensation_a_fresh_budget() {
        SagaInstance failed = instance(LINEAR, "FAILED s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING"
                + " r:PENDING");
        List<StepState> steps = new ArrayList<>(failed.steps());
        StepState s1 = steps.get(0);
        steps.set(0, new StepState(s1.name(), s1.status(), s1.attempts(), 3, s1.mayHaveTakenEffect(), s1.startedAt(),
                null, NOW.plusSeconds(90), "down"));
        SagaInstance given = new SagaInstance(failed.id(), failed.sagaName(), failed.sagaVersion(), failed.fingerprint(),
                null, failed.status(), failed.data(), steps, failed.createdAt(), failed.updatedAt(), null,
                failed.owner(), failed.leaseUntil(), failed.version(), "compensation of step 's1' gave up", Map.of());

        Transition transition = Transitions.decide(LINEAR, given, new OperatorRetried(), env("x"));

        StepState retried = transition.next().steps().get(0);
        assertThat(retried.compensationAttempts()).isEqualTo(1);
        assertThat(retried.wakeAt()).isNull();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("aborting a saga past its pivot", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:SUCCEEDED v:SUCCEEDED ask:SUCCEEDED p:SUCCEEDED r:RUNNING",
                        new Aborted("stop"), "past its pivot 'p'"),
                Arguments.of("aborting a COMPENSATING saga", LINEAR,
                        "COMPENSATING s1:COMPENSATING s2:FAILED v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Aborted("stop"), "only a RUNNING saga can be aborted"),
                Arguments.of("retrying a saga that is not FAILED", LINEAR,
                        "RUNNING s1:RUNNING s2:PENDING v:PENDING ask:PENDING p:PENDING r:PENDING", new OperatorRetried(),
                        "only a FAILED saga can be retried"),
                Arguments.of("reopening a saga that is not COMPLETED", CHILD,
                        "COMPENSATED c1:COMPENSATED c2:COMPENSATED c3:SUCCEEDED", new Reopened("again"),
                        "only a COMPLETED child saga is reopened"),
                Arguments.of("a compensation result for a step that is not compensating", LINEAR,
                        "RUNNING s1:SUCCEEDED s2:RUNNING v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new Succeeded(0, true, null, null), "step 's1' is SUCCEEDED, not COMPENSATING"),
                Arguments.of("a reply for a step that has not started", LINEAR,
                        "RUNNING s1:RUNNING s2:PENDING v:PENDING ask:PENDING p:PENDING r:PENDING",
                        new ReplyApplied(3, "x"), "illegal step transition PENDING -> SUCCEEDED"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("refused")
    void events_the_state_does_not_allow_are_refused_naming_the_saga(String rule, SagaDefinition<String> definition,
            String given, Event event, String message) {
        SagaInstance instance = instance(definition, given);

        assertThatThrownBy(() -> Transitions.decide(definition, instance, event, env(given)))
                .as(rule)
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(definition.name())
                .hasMessageContaining(instance.id());
    }

    // ---------------------------------------------------------------- notation

    private static Arguments row(String rule, SagaDefinition<String> definition, String given, Event event,
            String expected, Then then, SagaEventType... history) {
        return Arguments.of(rule, definition, given, event, expected, then, history == null ? null : List.of(history));
    }

    private static Succeeded ok(int index) {
        return new Succeeded(index, false, null, null);
    }

    private static Failed fail(int index, boolean possiblyDone, boolean retryable) {
        return new Failed(index, false, new IllegalStateException("boom"), "boom", possiblyDone, retryable);
    }

    private static Env env(String given) {
        Set<Integer> inFlight = new HashSet<>();
        String[] parts = given.split(" ");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].contains("*")) {
                inFlight.add(i - 1);
            }
        }
        return new Env(NOW, "node", CODEC, () -> 0.5, inFlight);
    }

    private static SagaInstance instance(SagaDefinition<String> definition, String given) {
        String[] parts = given.split(" ");
        List<StepState> steps = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String[] named = parts[i].split(":");
            String[] counted = named[1].split("#");
            String flags = counted[0].replaceAll("[A-Z_]", "");
            StepStatus status = StepStatus.valueOf(counted[0].replaceAll("[^A-Z_]", ""));
            int attempts = counted.length > 1 ? Integer.parseInt(counted[1]) : status == StepStatus.PENDING ? 0 : 1;
            boolean waiting = flags.contains("~");
            Instant wakeAt = waiting ? NOW.plusSeconds(5) : null;
            int compensationAttempts = status == StepStatus.COMPENSATING ? 1 : 0;
            steps.add(new StepState(named[0], status, attempts, compensationAttempts,
                    flags.contains("!"), status == StepStatus.PENDING ? null : NOW.minusSeconds(60),
                    null, wakeAt, null));
        }
        SagaStatus status = SagaStatus.valueOf(parts[0]);
        return new SagaInstance("instance-1", definition.name(), definition.version(), definition.fingerprint(), null,
                status, SagaData.ofJson("\"d\""), steps, NOW.minusSeconds(60), NOW.minusSeconds(1), null, "node",
                NOW.plusSeconds(30), 7, null, Map.of());
    }

    private static String describe(SagaInstance instance) {
        StringBuilder text = new StringBuilder(instance.status().name());
        for (StepState step : instance.steps()) {
            text.append(' ').append(step.name()).append(':').append(step.status());
            if (step.mayHaveTakenEffect()) {
                text.append('!');
            }
            if (step.wakeAt() != null && step.wakeAt().isAfter(NOW)
                    && (step.status() == StepStatus.RUNNING || step.status() == StepStatus.COMPENSATING)) {
                text.append('~');
            }
        }
        return text.toString();
    }
}
