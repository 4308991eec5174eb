package dev.sagaflow.rabbitmq.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import dev.sagaflow.messaging.SagaMessages;
import dev.sagaflow.rabbitmq.example.OrderSaga.CreditCommand;
import dev.sagaflow.rabbitmq.support.RabbitBroker;
import dev.sagaflow.rabbitmq.support.RequiresRabbitMq;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The customer service as its own JVM, driven by commands published straight to its queue. */
@RequiresRabbitMq
class CustomerServiceMainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RabbitBroker broker;
    private String commands;
    private String replies;

    @BeforeEach
    void declare() throws Exception {
        broker = RabbitBroker.connect();
        commands = broker.queue("sagaflow-example-test-commands");
        replies = broker.queue("sagaflow-example-test-replies");
    }

    @AfterEach
    void delete() throws Exception {
        broker.close();
    }

    @Test
    void a_command_received_again_with_the_same_idempotency_key_is_answered_the_same_and_applied_once()
            throws Exception {
        CustomerLedger ledger;
        try (CustomerServiceProcess service = CustomerServiceProcess.start(RabbitBroker.URI_TEXT, commands, replies,
                Map.of("carol", 150_00L))) {
            reserve("k-1", "c-1", "o-1", 60_00);
            reserve("k-1", "c-1", "o-1", 60_00);
            reserve("k-2", "c-2", "o-2", 60_00);
            ledger = service.stop(Duration.ofSeconds(60));
        }

        assertThat(ledger.count(CustomerLedger.RESERVED, "o-1")).isEqualTo(1);
        assertThat(ledger.count(CustomerLedger.RESERVED, "o-2")).as("o-1 counted once against the limit")
                .isEqualTo(1);
        assertThat(ledger.duplicates()).isEqualTo(1);
        assertThat(ledger.accounts()).containsExactly(new CustomerLedger.Account("carol", 150_00, 120_00));
        // Each reply was confirmed before its command was acknowledged, and the service stopped only after the
        // last command: all three replies are in the queue.
        List<String> answers = new ArrayList<>();
        for (GetResponse reply; (reply = broker.get(replies)) != null; ) {
            Map<String, Object> headers = reply.getProps().getHeaders();
            answers.add(headers.get(OutboxMessage.CORRELATION_ID_HEADER) + " "
                    + headers.get(SagaMessages.REPLY_OUTCOME_HEADER));
        }
        assertThat(answers).containsExactly("c-1 success", "c-1 success", "c-2 success");
    }

    private void reserve(String key, String correlationId, String order, long cents) throws Exception {
        broker.publish(commands, new AMQP.BasicProperties.Builder().headers(Map.of(
                OutboxMessage.IDEMPOTENCY_KEY_HEADER, key, OutboxMessage.CORRELATION_ID_HEADER, correlationId))
                .build(), JSON.writeValueAsString(new CreditCommand(CreditCommand.RESERVE, order, "carol", cents))
                .getBytes(StandardCharsets.UTF_8));
    }
}
