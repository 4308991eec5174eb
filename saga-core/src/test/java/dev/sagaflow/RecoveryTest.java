package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.StepState;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A crash is simulated by halting an orchestrator; a new one over the same store resumes its instances. */
class RecoveryTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();
    private final List<String> keysSeen = new CopyOnWriteArrayList<>();

    private SagaDefinition<Trail> hangingOnce(String hangingStep, boolean inCompensation) {
        return TestSagas.hangingOnce("recoverable", hangingStep, inCompensation, ledger, keysSeen);
    }

    @Test
    void a_saga_stopped_in_the_middle_of_a_step_is_resumed_with_the_same_idempotency_key() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("s2").status())
                .isEqualTo(StepStatus.RUNNING);

        SagaTestKit.crash(first);
        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance stored = kit.store().find(execution.sagaId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s2", "do s3");
        assertThat(keysSeen).containsExactly(execution.sagaId() + ":s2#1", execution.sagaId() + ":s2#2");
        assertThat(stored.step("s2").mayHaveTakenEffect()).isTrue();
        assertThat(kit.listener().types(execution.sagaId())).contains(SagaEventType.STEP_RESUMED);
        second.close();
    }

    @Test
    void another_node_resumes_the_saga_only_once_the_dead_nodes_lease_has_expired() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaOrchestrator first = kit.orchestrator().register(saga).leaseDuration(Duration.ofSeconds(30)).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);

        SagaOrchestrator second = kit.orchestrator().register(saga).pollInterval(Duration.ofSeconds(5)).build();
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        kit.timer().advance(Duration.ofSeconds(25));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().owner()).isEqualTo("node-1");
        kit.timer().advance(Duration.ofSeconds(10));

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        second.close();
    }

    @Test
    void a_saga_stopped_in_the_middle_of_a_compensation_finishes_compensating() {
        SagaDefinition<Trail> saga = hangingOnce("s2", true);
        kit.faults().failActionAlways("s3", new IllegalStateException("no"));
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATING);

        SagaTestKit.crash(first);
        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s2", "undo s1");
        assertThat(keysSeen).containsExactly(execution.sagaId() + ":s2:compensation#1",
                execution.sagaId() + ":s2:compensation#2");
        second.close();
    }

    @Test
    void a_restarted_node_resumes_more_instances_than_one_claim_batch_holds_in_its_first_pass() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        List<String> ids = new ArrayList<>();
        // Recovery claims 100 instances at a time: 250 take three batches.
        for (int i = 0; i < 250; i++) {
            ids.add(first.start(saga, Trail.of("t" + i)).sagaId());
        }
        SagaTestKit.crash(first);

        // The clock does not move: no later poll could pick up what the first pass left.
        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga)
                .pollInterval(Duration.ofHours(1)).build();

        assertThat(ids).allSatisfy(id -> assertThat(kit.store().find(id).orElseThrow().status())
                .as(id).isEqualTo(SagaStatus.COMPLETED));
        second.close();
    }

    private SagaDefinition<Trail> waitingSaga() {
        return Saga.define("waiting", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .timeout(Duration.ofMinutes(5))
                .build();
    }

    @Test
    void a_saga_waiting_for_a_reply_keeps_waiting_after_recovery_and_takes_the_reply() {
        SagaDefinition<Trail> saga = waitingSaga();
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().step("ask").status())
                .isEqualTo(StepStatus.AWAITING_REPLY);
        assertThat(ledger.calls()).as("the command is not sent again").containsExactly("do ask");

        second.reply(SagaReply.success(execution.sagaId(), "ask", null));

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        second.close();
    }

    @Test
    void the_reply_timeout_still_fires_after_recovery() {
        SagaDefinition<Trail> saga = waitingSaga();
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);
        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        kit.timer().advance(Duration.ofMinutes(5));

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.calls()).containsExactly("do ask", "undo ask");
        second.close();
    }

    @Test
    void an_instance_whose_definition_is_not_registered_is_left_untouched_and_reported() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaDefinition<Trail> other = TestSagas.linear("other", 1, ledger);
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);
        SagaInstance before = kit.store().find(execution.sagaId()).orElseThrow();

        SagaOrchestrator second = kit.orchestrator().nodeId("node-b").register(other).build();
        kit.timer().advance(Duration.ofMinutes(1));

        SagaInstance after = kit.store().find(execution.sagaId()).orElseThrow();
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.owner()).isEqualTo("node-a");
        assertThat(after.steps()).isEqualTo(before.steps());
        assertThat(kit.listener().events(execution.sagaId()))
                .filteredOn(e -> e.type() == SagaEventType.INSTANCE_NOT_RESUMABLE).hasSize(1)
                .first().satisfies(e -> assertThat(e.detail()).contains("'recoverable' version 1 is not registered"));
        assertThat(second.run(other, Trail.of("x")).status()).as("others go on").isEqualTo(SagaStatus.COMPLETED);
        second.close();
    }

    @Test
    void an_instance_whose_definition_changed_under_the_same_version_is_refused_naming_both_step_lists() {
        SagaDefinition<Trail> original = hangingOnce("s2", false);
        SagaDefinition<Trail> changed = Saga.define("recoverable", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2-renamed").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(original).build();
        SagaExecution<Trail> execution = first.start(original, Trail.of("t"));
        SagaTestKit.crash(first);
        long version = kit.store().find(execution.sagaId()).orElseThrow().version();

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(changed).build();

        assertThat(kit.store().find(execution.sagaId()).orElseThrow().version()).isEqualTo(version);
        assertThatThrownBy(() -> second.abort(execution.sagaId(), "operator"))
                .isInstanceOf(DefinitionMismatchException.class)
                .hasMessageContaining("[s1, s2, s3]").hasMessageContaining("[s1, s2-renamed]");
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().version()).isEqualTo(version);
        second.close();
    }

    /** Stops a saga inside s2 (node "node-a" dies) and rewrites its stored step list. */
    private String strandedWithSteps(SagaDefinition<Trail> saga, java.util.function.UnaryOperator<List<StepState>> edit) {
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        String id = first.start(saga, Trail.of("t")).sagaId();
        SagaTestKit.crash(first);
        SagaInstance stored = kit.store().find(id).orElseThrow();
        SagaInstance edited = new SagaInstance(id, stored.sagaName(), stored.sagaVersion(), stored.fingerprint(),
                stored.idempotencyKey(), stored.status(), stored.data(), edit.apply(stored.steps()), stored.createdAt(),
                stored.updatedAt(), stored.deadline(), stored.owner(), stored.leaseUntil(), stored.version() + 1,
                stored.error());
        assertThat(kit.store().update(stored.version(), edited, List.of())).isTrue();
        return id;
    }

    /** Regression: found by the hostile-input suite; the saga used to end COMPLETED without ever running s3. */
    @Test
    void a_stored_step_list_shorter_than_the_definition_fails_the_instance_instead_of_completing_it_without_s3() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        String id = strandedWithSteps(saga, steps -> steps.subList(0, 2));

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(stored.error()).contains("stored steps [s1, s2] are not the steps [s1, s2, s3]");
        assertThat(ledger.calls()).doesNotContain("do s3");
        assertThat(second.list(SagaQuery.withStatus(SagaStatus.FAILED))).extracting(SagaInfo::sagaId).contains(id);
        assertThatThrownBy(() -> second.retry(id)).isInstanceOf(DefinitionMismatchException.class)
                .hasMessageContaining("[s1, s2]").hasMessageContaining(id);
        second.close();
    }

    /** Regression: found by the hostile-input suite; the resume task threw and the node held the instance forever. */
    @Test
    void a_stored_instance_whose_running_step_is_past_the_definitions_end_fails_instead_of_stalling_on_its_node() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        String id = strandedWithSteps(saga, steps -> List.of(steps.get(0).withStatus(StepStatus.SUCCEEDED),
                steps.get(1).with(StepStatus.SUCCEEDED, 1, 0, false, null, null, null, null),
                steps.get(2).with(StepStatus.SUCCEEDED, 1, 0, false, null, null, null, null),
                new StepState("s4", StepStatus.RUNNING, 1, 0, false, null, null, null, null)));

        SagaDefinition<Trail> other = TestSagas.linear("other", 1, ledger);
        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga, other).build();

        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(stored.owner()).isNull();
        assertThat(stored.error()).contains("[s1, s2, s3, s4]");
        assertThat(second.run(other, Trail.of("x")).status())
                .as("others go on").isEqualTo(SagaStatus.COMPLETED);
        second.close();
    }

    /** Regression: found by the hostile-input suite; the resume task threw and the node held the instance forever. */
    @Test
    void a_running_instance_without_a_running_step_fails_with_a_named_error_instead_of_stalling() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        String id = strandedWithSteps(saga, steps -> steps.stream()
                .map(step -> step.status() == StepStatus.RUNNING ? step.withStatus(StepStatus.SUCCEEDED) : step)
                .toList());

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(stored.error()).contains("it is RUNNING but no step is RUNNING or AWAITING_REPLY");
        second.close();
    }

    /** Regression: found by the hostile-input suite; JSON null reached the handlers as null data and the step threw. */
    @Test
    void stored_data_that_is_json_null_fails_the_instance_instead_of_reaching_the_handlers() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        String id = first.start(saga, Trail.of("t")).sagaId();
        SagaTestKit.crash(first);
        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(kit.store().update(stored.version(), new SagaInstance(id, stored.sagaName(), stored.sagaVersion(),
                stored.fingerprint(), null, stored.status(), dev.sagaflow.store.SagaData.ofJson("null"), stored.steps(),
                stored.createdAt(), stored.updatedAt(), null, stored.owner(), stored.leaseUntil(), stored.version() + 1,
                null), List.of())).isTrue();

        SagaOrchestrator second = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance after = kit.store().find(id).orElseThrow();
        assertThat(after.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(after.error()).contains("saga data cannot be read: stored saga data is null, not a "
                + Trail.class.getName());
        assertThat(ledger.calls()).containsExactly("do s1", "do s2");
        second.close();
    }

    /**
     * Regression: found by the hostile-input suite; the restarted node renewed the lease it had
     * inherited on an instance it could not resume, so the instance was never reported and no node
     * that could resume it ever got it.
     */
    @Test
    void a_node_restarted_under_the_same_id_lets_go_of_instances_it_cannot_resume() {
        SagaDefinition<Trail> saga = hangingOnce("s2", false);
        SagaDefinition<Trail> other = TestSagas.linear("other", 1, ledger);
        SagaOrchestrator first = kit.orchestrator().nodeId("node-a").register(saga).build();
        String id = first.start(saga, Trail.of("t")).sagaId();
        SagaTestKit.crash(first);

        SagaOrchestrator restarted = kit.orchestrator().nodeId("node-a").register(other).build();
        kit.timer().advance(Duration.ofMinutes(1));

        assertThat(kit.listener().events(id)).extracting(SagaEvent::type)
                .contains(SagaEventType.INSTANCE_NOT_RESUMABLE);
        SagaOrchestrator able = kit.orchestrator().nodeId("node-b").register(saga).build();
        assertThat(kit.store().find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        restarted.close();
        able.close();
    }
}
