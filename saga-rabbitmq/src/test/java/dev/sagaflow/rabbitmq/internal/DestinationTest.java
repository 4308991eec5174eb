package dev.sagaflow.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationTest {
    @Test
    void a_name_alone_is_a_queue_on_the_default_exchange() {
        assertThat(Destination.parse("customer-commands")).isEqualTo(new Destination("", "customer-commands"));
    }

    @Test
    void the_first_slash_separates_exchange_and_routing_key() {
        assertThat(Destination.parse("customers/credit/reserve")).isEqualTo(new Destination("customers", "credit/reserve"));
    }

    @Test
    void a_blank_destination_is_refused() {
        assertThatThrownBy(() -> Destination.parse(" ")).hasMessage("a RabbitMQ destination cannot be blank");
    }
}
