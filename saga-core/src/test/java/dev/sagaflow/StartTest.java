package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.testing.SagaTestKit;
import org.junit.jupiter.api.Test;

class StartTest {
    private final SagaTestKit kit = SagaTestKit.create();
    private final Ledger ledger = new Ledger();

    /** Serialises (Jackson sees the getter) but cannot be read back: there is no creator. */
    public static final class NoCreator {
        private final String value;

        public NoCreator(String value, int unused) {
            this.value = value;
        }

        public String getValue() {
            return value;
        }
    }

    /** Cannot be serialised at all: a self-reference. */
    public static final class Cyclic {
        public Cyclic self = this;
    }

    @Test
    void a_repeated_start_with_the_same_idempotency_key_returns_the_existing_instance() {
        SagaDefinition<Trail> saga = TestSagas.linear("idempotent", 2, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaExecution<Trail> first = orchestrator.start(saga, Trail.of("a"), "order-42");
        SagaExecution<Trail> second = orchestrator.start(saga, Trail.of("b"), "order-42");

        assertThat(first.alreadyStarted()).isFalse();
        assertThat(second.alreadyStarted()).isTrue();
        assertThat(second.sagaId()).isEqualTo(first.sagaId());
        assertThat(second.outcome().join().data().name()).isEqualTo("a");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2");
        assertThat(orchestrator.start(saga, Trail.of("c"), "order-43").sagaId()).isNotEqualTo(first.sagaId());
        assertThat(orchestrator.findByIdempotencyKey("idempotent", "order-42")).get()
                .extracting(SagaInfo::sagaId).isEqualTo(first.sagaId());
        assertThat(orchestrator.findByIdempotencyKey("idempotent", "order-44")).isEmpty();
    }

    @Test
    void data_that_cannot_be_serialised_is_rejected_at_start_and_nothing_runs() {
        SagaDefinition<Cyclic> saga = Saga.define("cyclic", Cyclic.class)
                .step("s1").action((data, context) -> {
                    ledger.record(context);
                    return data;
                }).build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        assertThatThrownBy(() -> orchestrator.start(saga, new Cyclic()))
                .isInstanceOf(SagaDataException.class).hasMessageContaining("saga 'cyclic'")
                .hasMessageContaining("cannot be serialised");
        assertThat(ledger.calls()).isEmpty();
        assertThat(kit.store().query(dev.sagaflow.store.SagaQuery.all())).isEmpty();
    }

    @Test
    void data_that_serialises_but_cannot_be_read_back_is_rejected_at_start() {
        SagaDefinition<NoCreator> saga = Saga.define("no-creator", NoCreator.class)
                .step("s1").action((data, context) -> data).build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        assertThatThrownBy(() -> orchestrator.start(saga, new NoCreator("x", 1)))
                .isInstanceOf(SagaDataException.class).hasMessageContaining("cannot be read back");
    }

    @Test
    void mutable_pojos_work_as_saga_data() {
        SagaDefinition<Pojo> saga = Saga.define("pojo", Pojo.class)
                .step("s1").action((data, context) -> {
                    data.count++;
                    return data;
                })
                .step("s2").action((data, context) -> {
                    data.count++;
                    return data;
                }).build();
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();

        SagaOutcome<Pojo> outcome = orchestrator.run(saga, new Pojo());

        assertThat(outcome.data().count).isEqualTo(2);
        assertThat(kit.store().find(outcome.sagaId()).orElseThrow().data().json()).isEqualTo("{\"count\":2}");
    }

    public static final class Pojo {
        public int count;
    }

    @Test
    void starting_an_unregistered_definition_or_null_data_is_a_clear_error() {
        SagaDefinition<Trail> registered = TestSagas.linear("registered", 1, ledger);
        SagaDefinition<Trail> unregistered = TestSagas.linear("unregistered", 1, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(registered).build();

        assertThatThrownBy(() -> orchestrator.start(unregistered, Trail.of("x")))
                .isInstanceOf(UnknownSagaException.class).hasMessageContaining("'unregistered' version 1 is not registered");
        assertThatThrownBy(() -> orchestrator.start(registered, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saga 'registered': data cannot be null");
        assertThatThrownBy(() -> orchestrator.start(registered, Trail.of("x"), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotencyKey");
    }

    @Test
    void a_changed_definition_under_a_registered_name_and_version_is_refused() {
        SagaDefinition<Trail> registered = TestSagas.linear("same", 1, ledger);
        SagaDefinition<Trail> changed = TestSagas.linear("same", 2, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(registered).build();

        assertThatThrownBy(() -> orchestrator.start(changed, Trail.of("x")))
                .isInstanceOf(DefinitionMismatchException.class).hasMessageContaining("[s1, s2]")
                .hasMessageContaining("[s1]");
        assertThatThrownBy(() -> SagaOrchestrator.builder(kit.store()).register(registered, changed).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'same' version 1");
    }

    @Test
    void a_local_step_needs_a_transactional_store_and_other_steps_have_no_connection() {
        SagaDefinition<Trail> local = Saga.define("local", Trail.class).step("write").local()
                .action((trail, context) -> trail).build();
        assertThatThrownBy(() -> kit.orchestrator().register(local).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("saga 'local' step 'write' is local()").hasMessageContaining("InMemorySagaStore");

        SagaDefinition<Trail> plain = Saga.define("plain", Trail.class).step("s1")
                .action((trail, context) -> trail.mark(String.valueOf(context.connection()))).build();
        SagaOutcome<Trail> outcome = kit.orchestrator().register(plain).build().run(plain, Trail.of("t"));
        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(outcome.error()).contains("step 's1' of saga 'plain'").contains("is not local()");
    }

    @Test
    void a_closed_orchestrator_takes_no_new_sagas() {
        SagaDefinition<Trail> saga = TestSagas.linear("closing", 1, ledger);
        SagaOrchestrator orchestrator = kit.orchestrator().register(saga).build();
        orchestrator.close();
        orchestrator.close();

        assertThatThrownBy(() -> orchestrator.start(saga, Trail.of("x")))
                .isInstanceOf(OrchestratorClosedException.class).hasMessageContaining("closed");
    }

    @Test
    void close_lets_a_running_attempt_finish_records_it_and_leaves_the_rest_for_recovery() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SagaDefinition<Trail> saga = Saga.define("graceful", Trail.class)
                .step("s1").action((trail, context) -> {
                    started.countDown();
                    release.await();
                    return trail.mark("s1");
                })
                .step("s2").action(TestSagas.action(ledger))
                .build();
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(kit.store()).register(saga).timer(kit.timer())
                .nodeId("graceful-node").workerThreads(2).build();
        SagaExecution<Trail> execution = orchestrator.start(saga, Trail.of("t"));
        started.await();

        Thread closer = new Thread(orchestrator::close);
        closer.start();
        while (closer.getState() != Thread.State.TIMED_WAITING && closer.isAlive()) {
            Thread.onSpinWait();
        }
        release.countDown();
        closer.join();

        var stored = kit.store().find(execution.sagaId()).orElseThrow();
        assertThat(stored.step("s1").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(stored.step("s2").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(stored.owner()).as("leases are released for other nodes").isNull();
        assertThat(ledger.calls()).as("no new attempt starts while closing").isEmpty();
        assertThat(execution.outcome()).isCompletedExceptionally();

        SagaOrchestrator successor = kit.orchestrator().register(saga).build();
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        successor.close();
    }
}
