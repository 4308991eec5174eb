package dev.sagaflow.rabbitmq;

import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.messaging.CreditSaga;
import dev.sagaflow.messaging.CreditSaga.Order;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.messaging.SwitchableStore;
import dev.sagaflow.messaging.TcpProxy;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replies over the real broker: acknowledged only once durable, redeliveries applied once. */
@RequiresRabbitMq
class RabbitReplyListenerTest {
    /** The saga store, which can be taken down, or made to hold a write until released after it committed. */
    static final class TestStore extends SwitchableStore {
        volatile CountDownLatch holdNextUpdate;
        final CountDownLatch updateHeld = new CountDownLatch(1);

        @Override
        public boolean update(long expectedVersion, InstanceWrite write) {
            boolean written = super.update(expectedVersion, write);
            CountDownLatch hold = holdNextUpdate;
            if (hold != null) {
                holdNextUpdate = null;
                updateHeld.countDown();
                try {
                    hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return written;
        }
    }

    private final TestStore store = new TestStore();
    private final RecordingListener events = new RecordingListener();
    private final CreditSaga credit = new CreditSaga();
    private final List<String> correlationIds = credit.correlationIds();
    private RabbitBroker broker;
    private String replies;
    private SagaOrchestrator orchestrator;
    private SagaDefinition<Order> saga;
    private TcpProxy proxy;
    private RabbitReplyListener listener;

    @BeforeEach
    void setUp() throws Exception {
        broker = RabbitBroker.connect();
        replies = broker.queue("order-replies");
        saga = credit.definition();
        orchestrator = SagaOrchestrator.builder(store).register(saga).listener(events).build();
        proxy = new TcpProxy(RabbitBroker.factory().getHost(), RabbitBroker.factory().getPort());
        listener = RabbitReplyListener.builder(RabbitBroker.factoryThrough(proxy), replies, orchestrator)
                .requeueDelay(Duration.ofMillis(100)).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        listener.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        listener.close();
        orchestrator.close();
        proxy.close();
        broker.close();
    }

    private void reply(String correlationId, String outcome, String body) throws Exception {
        Map<String, Object> headers = new HashMap<>(Map.of(SagaMessages.REPLY_OUTCOME_HEADER, outcome));
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().correlationId(correlationId)
                .headers(headers).build();
        broker.publish(replies, properties, body.getBytes(StandardCharsets.UTF_8));
    }


    private long queued() {
        try {
            return broker.count(replies);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many replies are left once the listener is closed: ready ones, and unacknowledged ones given back. */
    private long leftAfterClosing() {
        listener.close();
        return queued();
    }

    @Test
    void a_success_reply_is_applied_and_acknowledged() throws Exception {
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-1"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-1\"}");

        assertThat(execution.outcome().get(10, TimeUnit.SECONDS).data().marks())
                .containsExactly("credit requested", "reserved r-1", "approved");
        eventually(() -> queued() == 0, Duration.ofSeconds(5));
    }

    @Test
    void a_failure_reply_is_acknowledged_and_the_saga_compensates() throws Exception {
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-2"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        reply(correlationIds.get(0), SagaMessages.FAILURE, "credit limit exceeded");

        assertThat(execution.outcome().get(10, TimeUnit.SECONDS).status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(execution.outcome().get().error()).contains("credit limit exceeded");
    }

    @Test
    void a_reply_redelivered_because_its_acknowledgement_was_lost_is_acknowledged_and_applied_once() throws Exception {
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-3"));
        // The next write must be the reply's, not the checkpoint that starts the wait.
        eventually(() -> store.find(execution.sagaId()).orElseThrow().step("reserve-credit").status()
                == StepStatus.AWAITING_REPLY, Duration.ofSeconds(5));
        eventually(listener::isConsuming, Duration.ofSeconds(5));
        CountDownLatch release = new CountDownLatch(1);
        store.holdNextUpdate = release;

        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-3\"}");
        assertThat(store.updateHeld.await(5, TimeUnit.SECONDS)).as("the reply's write committed").isTrue();
        proxy.cut(); // the connection breaks before the listener acknowledges: the broker keeps the message
        release.countDown();
        Thread.sleep(300);
        proxy.restore();

        assertThat(execution.outcome().get(10, TimeUnit.SECONDS).data().marks()).containsOnlyOnce("reserved r-3");
        eventually(() -> events.types(execution.sagaId()).contains(SagaEventType.REPLY_REJECTED), Duration.ofSeconds(10));
        eventually(() -> queued() == 0, Duration.ofSeconds(5));
        eventually(listener::isConsuming, Duration.ofSeconds(5));
        assertThat(leftAfterClosing()).isZero();
    }

    @Test
    void a_reply_arriving_before_the_checkpoint_that_starts_the_wait_is_recorded_acknowledged_and_applied()
            throws Exception {
        CountDownLatch acknowledged = new CountDownLatch(1);
        credit.afterSending(() -> {
            try {
                // The participant answers at once, while this action still runs: the step is RUNNING in the store,
                // not yet AWAITING_REPLY. The action returns only after the listener acknowledged the reply.
                reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"early\"}");
                eventually(() -> queued() == 0, Duration.ofSeconds(5));
                Thread.sleep(200);
                acknowledged.countDown();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-4"));

        assertThat(execution.outcome().get(10, TimeUnit.SECONDS).data().marks())
                .containsExactly("credit requested", "reserved early", "approved");
        assertThat(acknowledged.getCount()).isZero();
        assertThat(leftAfterClosing()).isZero();
    }

    @Test
    void a_reply_the_store_cannot_record_goes_back_to_the_queue_and_is_applied_once_the_store_is_back()
            throws Exception {
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-5"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));

        store.down = true;
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-5\"}");
        Thread.sleep(500); // it is delivered, not recorded, given back, delivered again...
        assertThat(execution.outcome()).isNotDone();
        store.down = false;

        assertThat(execution.outcome().get(20, TimeUnit.SECONDS).data().marks()).containsOnlyOnce("reserved r-5");
        eventually(() -> queued() == 0, Duration.ofSeconds(5));
    }

    @Test
    void a_message_that_is_no_reply_is_dead_lettered_not_requeued() throws Exception {
        String deadLetters = broker.queue("dead-replies");
        String withDeadLetters = broker.queue("order-replies", Map.of("x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", deadLetters));
        try (RabbitReplyListener strict = RabbitReplyListener.builder(RabbitBroker.factory(), withDeadLetters,
                orchestrator).build()) {
            strict.start();
            broker.publish(withDeadLetters, new AMQP.BasicProperties.Builder().build(),
                    "hello".getBytes(StandardCharsets.UTF_8));

            eventually(() -> {
                try {
                    return broker.count(deadLetters) == 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Duration.ofSeconds(5));
            assertThat(broker.count(withDeadLetters)).isZero();
        }
    }

    @Test
    void the_listener_consumes_again_after_the_broker_was_unreachable() throws Exception {
        eventually(listener::isConsuming, Duration.ofSeconds(5));
        proxy.cut();
        eventually(() -> !listener.isConsuming(), Duration.ofSeconds(5));
        SagaExecution<Order> execution = orchestrator.start(saga, Order.of("o-6"));
        eventually(() -> correlationIds.size() == 1, Duration.ofSeconds(5));
        reply(correlationIds.get(0), SagaMessages.SUCCESS, "{\"reservationId\":\"r-6\"}");
        Thread.sleep(300);

        proxy.restore();

        assertThat(execution.outcome().get(10, TimeUnit.SECONDS).data().marks()).contains("reserved r-6");
    }
}
