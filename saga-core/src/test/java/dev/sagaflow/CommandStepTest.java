package dev.sagaflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreDecorator;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Steps that send a command through the store's transactional outbox, and wait for its reply. */
class CommandStepTest {
    private final ManualTimer timer = new ManualTimer();
    private final InMemorySagaStore store = InMemorySagaStore.builder().clock(timer.clock()).build();
    private final AtomicInteger writes = new AtomicInteger();
    private final SagaStore counting = new CountingWrites(store, writes).asStore();

    /** The command the order saga sends the customer service. */
    public record ReserveCredit(String order, long cents) {
    }

    /** The customer service's answer. */
    public record CreditReserved(String reservation) {
    }

    private SagaDefinition<Trail> orderSaga() {
        return Saga.define("order-with-commands", Trail.class)
                .step("create-order").action((trail, context) -> trail.mark("created"))
                .compensation((trail, context) -> trail.mark("rejected"))
                .step("reserve-credit").send("customer.commands", (trail, context) -> new ReserveCredit(trail.name(), 1250))
                .compensationSend("customer.commands", (trail, context) -> new ReserveCredit(trail.name(), -1250))
                .awaitReply(CreditReserved.class, (trail, reply) -> trail.mark("reserved " + reply.reservation()))
                .timeout(Duration.ofSeconds(30)).retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .pivot("approve-order").action((trail, context) -> trail.mark("approved"))
                .build();
    }

    @Test
    void a_command_step_writes_its_command_to_the_outbox_with_the_checkpoint_and_completes_on_the_reply() throws Exception {
        SagaDefinition<Trail> saga = orderSaga();
        try (SagaOrchestrator node = SagaOrchestrator.builder(counting).register(saga).timer(timer)
                .executor(Runnable::run).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("o-1"));

            List<OutboxMessage> sent = store.claimOutbox("relay", Duration.ofSeconds(30), 10);
            assertThat(sent).hasSize(1);
            OutboxMessage message = sent.get(0);
            assertThat(message.destination()).isEqualTo("customer.commands");
            assertThat(message.payload()).isEqualTo("{\"order\":\"o-1\",\"cents\":1250}");
            assertThat(message.headers()).containsEntry(OutboxMessage.IDEMPOTENCY_KEY_HEADER,
                    execution.sagaId() + ":reserve-credit")
                    .containsEntry(OutboxMessage.CORRELATION_ID_HEADER, execution.sagaId() + ":reserve-credit")
                    .containsEntry(OutboxMessage.MESSAGE_ID_HEADER, message.id())
                    .containsEntry(OutboxMessage.STEP_HEADER, "reserve-credit");

            node.reply(SagaReply.successForCorrelationId(message.headers().get(OutboxMessage.CORRELATION_ID_HEADER),
                    new CreditReserved("r-9")));

            assertThat(execution.outcome().join().data().marks()).containsExactly("created", "reserved r-9",
                    "approved");
            // insert; create-order done; command recorded (waiting); reply (approve starts); approve done.
            assertThat(writes).as("writes: as many as with an action that sends the command itself").hasValue(5);
        }
    }

    @Test
    void a_command_is_sent_again_with_the_same_idempotency_key_when_its_reply_times_out() {
        SagaDefinition<Trail> saga = orderSaga();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("o-2"));
            OutboxMessage first = store.claimOutbox("relay", Duration.ofSeconds(30), 10).get(0);
            store.markSent(first.id(), "relay");

            timer.advance(Duration.ofSeconds(31));

            List<OutboxMessage> again = store.claimOutbox("relay", Duration.ofSeconds(30), 10);
            assertThat(again).hasSize(1);
            assertThat(again.get(0).id()).isNotEqualTo(first.id());
            assertThat(again.get(0).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER))
                    .isEqualTo(first.headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER));
            assertThat(execution.outcome()).isNotDone();
        }
    }

    @Test
    void a_command_whose_replies_never_come_is_compensated_with_the_cancellation_command() {
        SagaDefinition<Trail> saga = orderSaga();
        try (SagaOrchestrator node = SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).build()) {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("o-3"));
            OutboxMessage command = store.claimOutbox("relay", Duration.ofSeconds(30), 10).get(0);
            store.markSent(command.id(), "relay");

            timer.advance(Duration.ofSeconds(31));
            OutboxMessage resent = store.claimOutbox("relay", Duration.ofSeconds(30), 10).get(0);
            store.markSent(resent.id(), "relay");
            timer.advance(Duration.ofSeconds(31));

            assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPENSATED);
            List<OutboxMessage> cancellation = store.claimOutbox("relay", Duration.ofSeconds(30), 10);
            assertThat(cancellation).hasSize(1);
            assertThat(cancellation.get(0).payload()).contains("-1250");
            assertThat(cancellation.get(0).headers().get(OutboxMessage.IDEMPOTENCY_KEY_HEADER))
                    .isEqualTo(execution.sagaId() + ":reserve-credit:compensation");
        }
    }

    @Test
    void a_command_step_needs_a_store_with_an_outbox_and_cannot_be_local() {
        SagaDefinition<Trail> saga = orderSaga();
        ForwardingSagaStore noOutbox = new ForwardingSagaStore(store) {
        };
        assertThatThrownBy(() -> SagaOrchestrator.builder(noOutbox).register(saga).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a store with an outbox");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step("a").send("q", (t, c) -> "x").local().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot send commands");
        assertThatThrownBy(() -> Saga.define("s", Trail.class).step("a").action((t, c) -> t).send("q", (t, c) -> "x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("action is already set");
    }

    /** Counts the writes that reach the store; its outbox passes through ({@link SagaStoreDecorator#asStore()}). */
    private static final class CountingWrites extends SagaStoreDecorator {
        private final AtomicInteger writes;

        CountingWrites(InMemorySagaStore delegate, AtomicInteger writes) {
            super(delegate);
            this.writes = writes;
        }

        @Override
        public boolean insert(InstanceWrite write) {
            writes.incrementAndGet();
            return super.insert(write);
        }

        @Override
        public boolean update(long expectedVersion, InstanceWrite write) {
            writes.incrementAndGet();
            return super.update(expectedVersion, write);
        }
    }
}
