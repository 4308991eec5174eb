package dev.sagaflow.examples.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagaflow.examples.support.Timeline;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrderHttpApiTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private OrderExample example;
    private OrderClient client;
    private URI base;

    @BeforeEach
    void serveOnAnEphemeralPort() throws Exception {
        example = OrderExample.start(Timeline.silent());
        base = example.serveHttp(0).baseUri();
        client = new OrderClient(base);
    }

    @AfterEach
    void close() {
        example.close();
    }

    @Test
    void post_accepts_the_order_pending_and_get_shows_it_approved_with_its_saga() throws Exception {
        OrderClient.Response posted = client.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));
        String orderId = posted.json().path("orderId").asText();

        JsonNode order = client.awaitFinished(orderId, PATIENCE).json();

        assertThat(posted.status()).isEqualTo(202);
        assertThat(posted.location()).isEqualTo("/orders/" + orderId);
        assertThat(posted.json().path("status").asText()).isEqualTo("PENDING");
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        assertThat(order.path("saga").path("sagaId").asText()).isEqualTo(posted.json().path("sagaId").asText());
        assertThat(order.path("saga").path("status").asText()).isEqualTo("COMPLETED");
        assertThat(names(order.path("saga").path("steps"), "name"))
                .containsExactly(OrderSaga.CREATE_PENDING_ORDER, OrderSaga.RESERVE_CREDIT, OrderSaga.APPROVE_ORDER);
        assertThat(names(order.path("saga").path("history"), "event")).startsWith("SAGA_STARTED").endsWith("SAGA_COMPLETED");
    }

    @Test
    void get_shows_an_order_over_the_limit_rejected_with_the_reason() throws Exception {
        String orderId = client.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("150.00")).json()
                .path("orderId").asText();

        JsonNode order = client.awaitFinished(orderId, PATIENCE).json();

        assertThat(order.path("status").asText()).isEqualTo("REJECTED");
        assertThat(order.path("saga").path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(order.path("saga").path("error").asText()).contains("credit limit exceeded");
    }

    @Test
    void a_body_without_an_amount_is_a_bad_request() throws Exception {
        HttpResponse<String> response = post("{\"customerId\": \"c-1\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("amount must be > 0");
    }

    @Test
    void an_amount_with_more_than_two_decimals_is_a_bad_request() throws Exception {
        HttpResponse<String> response = post("{\"customerId\": \"c-1\", \"amount\": 1.005}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("at most two decimals");
    }

    @Test
    void a_body_that_is_not_json_is_a_bad_request() throws Exception {
        assertThat(post("amount=5").statusCode()).isEqualTo(400);
    }

    @Test
    void an_unknown_order_is_not_found() throws Exception {
        assertThat(client.getOrder("o-missing").status()).isEqualTo(404);
    }

    private HttpResponse<String> post(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> names = new ArrayList<>();
        array.forEach(node -> names.add(node.path(field).asText()));
        return names;
    }
}
