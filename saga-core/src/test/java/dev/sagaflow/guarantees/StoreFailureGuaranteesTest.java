package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.Saga;
import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.faults.FaultyStore;
import dev.sagaflow.faults.FaultyStore.Fault;
import dev.sagaflow.faults.FaultyStore.Kind;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.StepState;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.RecordingListener;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** What the store answers: lost acknowledgements, writes refused for good, limits (issue 10, findings 2, 3, 19). */
class StoreFailureGuaranteesTest {
    private static final Duration POLL = Duration.ofSeconds(10);
    private final Ledger ledger = new Ledger();
    private final ManualTimer timer = new ManualTimer();
    private final InMemorySagaStore memory = InMemorySagaStore.builder().clock(timer.clock()).build();
    private final RecordingListener events = new RecordingListener();

    private SagaOrchestrator node(dev.sagaflow.store.SagaStore store, SagaDefinition<?>... sagas) {
        return SagaOrchestrator.builder(store).register(sagas).timer(timer).executor(Runnable::run).nodeId("n")
                .pollInterval(POLL).listener(events).build();
    }

    /** Data whose {@code extra} may hold something Jackson cannot write. */
    public record Box(String name, Object extra) {
    }

    /** Finding 2: a step result that cannot be stored ends the step, it does not make the same write loop. */
    @Test
    void a_step_whose_result_cannot_be_serialised_fails_as_possibly_done_and_the_saga_compensates() {
        SagaDefinition<Box> saga = Saga.define("unstorable", Box.class)
                .step("s1").action((box, context) -> box).compensation((box, context) -> new Box("undone", null))
                .step("s2").action((box, context) -> new Box(box.name(), new Object()))
                .compensation((box, context) -> box)
                .build();
        try (SagaOrchestrator node = node(memory, saga)) {
            SagaExecution<Box> execution = node.start(saga, new Box("b", null));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            SagaInstance stored = memory.find(execution.sagaId()).orElseThrow();
            assertThat(stored.step("s2").error()).contains("its result could not be stored");
            assertThat(stored.step("s2").mayHaveTakenEffect()).as("the action ran; its effect may stand").isTrue();
            assertThat(stored.step("s2").status()).isEqualTo(StepStatus.COMPENSATED);
        }
    }

    /** Finding 2: a reason holding U+0000 (which PostgreSQL's text columns refuse) is stored without it. */
    @Test
    void an_error_message_holding_u0000_is_stored_without_it_and_the_saga_ends_as_it_should() {
        Switchable store = new Switchable(memory);
        store.refuseForGood = write -> containsNul(write);
        SagaDefinition<Trail> saga = Saga.define("nul", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action((trail, context) -> {
                    throw new IllegalStateException("the participant said \u0000no\u0000");
                })
                .build();
        try (SagaOrchestrator node = node(store, saga)) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            assertThat(memory.find(execution.sagaId()).orElseThrow().error()).contains("\uFFFDno\uFFFD")
                    .doesNotContain("\u0000");
            assertThat(ledger.calls()).containsExactly("do s1", "undo s1");
        }
    }

    private static boolean containsNul(InstanceWrite write) {
        SagaInstance next = write.instance();
        boolean inSteps = next.steps().stream().map(StepState::error).anyMatch(e -> e != null && e.indexOf('\0') >= 0);
        boolean inHistory = write.history().stream().map(HistoryEntry::detail)
                .anyMatch(d -> d != null && d.indexOf('\0') >= 0);
        return inSteps || inHistory || (next.error() != null && next.error().indexOf('\0') >= 0);
    }

    /** Finding 2: a write the store refuses for good ends the saga with the reason; it is not retried forever. */
    @Test
    void a_write_the_store_refuses_for_good_ends_the_saga_instead_of_being_retried_every_ten_seconds() {
        Switchable store = new Switchable(memory);
        store.refuseForGood = write -> write.instance().status() == SagaStatus.COMPLETED;
        SagaDefinition<Trail> saga = TestSagas.linear("refused", 2, ledger);
        try (SagaOrchestrator node = node(store, saga)) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            timer.advance(Duration.ofMinutes(5));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            assertThat(memory.find(execution.sagaId()).orElseThrow().step("s2").error())
                    .contains("could not be stored").contains("refuses this value");
            assertThat(store.updates).as("the refused write was tried once, not every ten seconds").hasValue(5);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "undo s2", "undo s1");
        }
    }

    /** Finding 2: an instance the store refuses even as FAILED is reported and left alone, not looped on. */
    @Test
    void an_instance_the_store_refuses_even_as_failed_is_reported_and_never_written_again() {
        Switchable store = new Switchable(memory);
        store.refuseForGood = write -> true;
        SagaDefinition<Trail> saga = TestSagas.linear("refused-all", 2, ledger);
        try (SagaOrchestrator node = node(store, saga)) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            int updates = store.updates.get();
            timer.advance(POLL.multipliedBy(5));

            assertThat(execution.outcome()).isCompletedExceptionally();
            assertThat(store.updates).as("nothing tried after it was reported").hasValue(updates);
            assertThat(updates).isEqualTo(3);
            assertThat(events.types(execution.sagaId())).contains(SagaEventType.INSTANCE_NOT_RESUMABLE);
            assertThat(memory.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        }
    }

    /** Finding 3: an insert whose answer was lost is found by reading back, and the saga runs once. */
    @Test
    void a_start_whose_insert_answer_was_lost_returns_and_runs_the_saga_once() {
        FaultyStore store = new FaultyStore(memory, 1, Fault.ACK_LOST, EnumSet.of(Kind.INSERT));
        SagaDefinition<Trail> saga = TestSagas.linear("lost-insert", 2, ledger);
        try (SagaOrchestrator node = node(store, saga)) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            assertThat(store.injected()).isTrue();
            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2");
        }
    }

    /**
     * Finding 3: when the insert's outcome cannot be known, start() says so, and a saga that was recorded after all
     * is driven by its own node, not left RUNNING and renewed forever by nobody.
     */
    @Test
    void a_start_whose_outcome_stays_unknown_says_so_and_a_recorded_saga_still_runs_once() {
        FaultyStore lostAnswer = new FaultyStore(memory, 1, Fault.ACK_LOST, EnumSet.of(Kind.INSERT));
        Switchable store = new Switchable(lostAnswer);
        store.readsFail = true;
        SagaDefinition<Trail> saga = TestSagas.linear("unknown-insert", 2, ledger);
        try (SagaOrchestrator node = node(store, saga)) {
            String sagaId = null;
            try {
                node.start(saga, Trail.of("t"));
            } catch (SagaStoreException e) {
                assertThat(e.outcomeUnknown()).isTrue();
                assertThat(e.getMessage()).contains("may or may not have started");
                sagaId = e.sagaId();
            }
            assertThat(sagaId).as("start() threw, naming the instance").isNotNull();

            store.readsFail = false;
            timer.advance(POLL);

            assertThat(memory.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2");
        }
    }

    /** Finding 3: an update whose answer was lost is found written by reading back; nothing runs twice. */
    @Test
    void an_update_whose_answer_was_lost_is_found_written_and_nothing_runs_twice() {
        FaultyStore store = new FaultyStore(memory, 1, Fault.ACK_LOST, EnumSet.of(Kind.UPDATE));
        SagaDefinition<Trail> saga = TestSagas.linear("lost-update", 3, ledger);
        try (SagaOrchestrator node = node(store, saga)) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
            timer.advance(Duration.ofSeconds(1));

            assertThat(store.injected()).isTrue();
            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
            assertThat(ledger.calls()).containsExactly("do s1", "do s2", "do s3");
        }
    }

    /** Finding 3: instances a claim took whose answer was lost are found by reconciliation and resumed here. */
    @Test
    void instances_a_claim_took_whose_answer_was_lost_are_resumed_by_the_claiming_node() {
        SagaDefinition<Trail> saga = TestSagas.hangingOnce("lost-claim", "s2", false, ledger, new java.util.ArrayList<>());
        SagaOrchestrator dead = SagaOrchestrator.builder(memory).register(saga).timer(timer).executor(Runnable::run)
                .nodeId("dead").build();
        String id = dead.start(saga, Trail.of("t")).sagaId();
        dev.sagaflow.testing.SagaTestKit.crash(dead);
        timer.advance(Duration.ofSeconds(31));
        FaultyStore store = new FaultyStore(memory, 1, Fault.ACK_LOST, EnumSet.of(Kind.CLAIM));
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).nodeId("n").pollInterval(POLL).build()) {
            assertThat(store.injected()).isTrue();
            assertThat(memory.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(node.nodeId()).isEqualTo("n");
        }
    }

    /** Finding 19: data longer than the store can keep fails the step; the write is not retried forever. */
    @Test
    void data_longer_than_the_store_keeps_is_refused_at_start_and_fails_the_step_that_grows_it() {
        InMemorySagaStore small = InMemorySagaStore.builder().clock(timer.clock()).maxDataLength(200).build();
        SagaDefinition<Trail> saga = Saga.define("too-long", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").action((trail, context) -> trail.mark("x".repeat(500)))
                .compensation(TestSagas.compensation(ledger))
                .build();
        try (SagaOrchestrator node = node(small, saga)) {
            assertThatThrownBy(() -> node.start(saga, Trail.of("y".repeat(300))))
                    .isInstanceOf(SagaDataException.class).hasMessageContaining("longer than the limit of 200");

            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            assertThat(small.find(execution.sagaId()).orElseThrow().step("s2").error())
                    .contains("longer than the limit of 200");
            assertThat(ledger.calls()).containsExactly("do s1", "undo s2", "undo s1");
        }
    }

    /** Saga data of a declared type... */
    public static class Base {
        public String name = "b";
    }

    /** ...and a subclass a step may return, whose extra field the declared type cannot read back. */
    public static class Special extends Base {
        public int extra = 7;
    }

    /**
     * Finding 18: data is checked the same way on every store: what cannot be read back as the declared type is
     * refused at start, and a step that returns it fails, instead of being accepted and failing the next reader.
     */
    @Test
    void data_that_does_not_read_back_as_the_declared_type_is_refused_at_start_and_fails_the_step_that_returns_it() {
        SagaDefinition<Base> saga = Saga.define("not-readable", Base.class)
                .step("s1").action((data, context) -> data).compensation((data, context) -> data)
                .step("s2").action((data, context) -> new Special()).compensation((data, context) -> data)
                .build();
        try (SagaOrchestrator node = node(memory, saga)) {
            assertThatThrownBy(() -> node.start(saga, new Special())).isInstanceOf(SagaDataException.class)
                    .hasMessageContaining("cannot be read back as " + Base.class.getName());

            SagaExecution<Base> execution = node.start(saga, new Base());

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            assertThat(memory.find(execution.sagaId()).orElseThrow().step("s2").error())
                    .contains("cannot be read back as " + Base.class.getName());
        }
    }
}
