package dev.sagaflow.rabbitmq.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.rabbitmq.example.CustomerLedger.Account;
import dev.sagaflow.rabbitmq.example.CustomerLedger.Entry;
import dev.sagaflow.rabbitmq.example.OrderSaga.Order;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomerLedgerTest {
    private static final CustomerLedger LEDGER = new CustomerLedger(
            List.of(new Account("alice", 500_00, 200_00)),
            List.of(new Entry(CustomerLedger.RESERVED, "o-1", "alice", 200_00, "k-1"),
                    new Entry(CustomerLedger.REFUSED, "o-2", "alice", 900_00, "k-2")),
            3);

    @Test
    void the_ledger_reads_back_what_the_customer_service_printed_among_other_lines() {
        List<String> output = new ArrayList<>(List.of("customer service ready", "some warning"));
        output.addAll(LEDGER.lines());

        assertThat(CustomerLedger.parse(output)).isEqualTo(LEDGER);
    }

    @Test
    void output_cut_off_before_the_end_of_the_ledger_is_refused() {
        List<String> lines = LEDGER.lines();

        assertThatThrownBy(() -> CustomerLedger.parse(lines.subList(0, lines.size() - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no complete ledger");
    }

    @Test
    void outcomes_that_match_the_ledger_agree() {
        assertThat(LEDGER.disagreements(Map.of("o-1", outcome("o-1", SagaStatus.COMPLETED, "APPROVED"),
                "o-2", outcome("o-2", SagaStatus.COMPENSATED, "REJECTED")))).isEmpty();
    }

    @Test
    void a_completed_order_the_customer_service_refused_disagrees() {
        assertThat(LEDGER.disagreements(Map.of("o-2", outcome("o-2", SagaStatus.COMPLETED, "APPROVED"))))
                .singleElement().asString().startsWith("o-2 ended COMPLETED").contains("refused 1");
    }

    @Test
    void a_compensated_order_whose_reservation_was_never_released_disagrees() {
        assertThat(LEDGER.disagreements(Map.of("o-1", outcome("o-1", SagaStatus.COMPENSATED, "REJECTED"))))
                .singleElement().asString().contains("reserved 1").contains("released 0");
    }

    @Test
    void the_printed_uri_hides_the_password() {
        assertThat(OrderServiceMain.redacted("amqp://guest:secret@rabbit:5672/vhost"))
                .isEqualTo("amqp://guest:***@rabbit:5672/vhost");
        assertThat(OrderServiceMain.redacted("amqp://rabbit:5672")).isEqualTo("amqp://rabbit:5672");
    }

    private static SagaOutcome<Order> outcome(String id, SagaStatus status, String state) {
        return new SagaOutcome<>("saga-" + id, OrderSaga.NAME, status,
                new Order(id, "alice", 100, false, state, null), null);
    }
}
