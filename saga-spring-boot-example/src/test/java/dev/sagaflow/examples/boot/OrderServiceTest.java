package dev.sagaflow.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;

import dev.sagaflow.examples.boot.support.RequiresPostgres;
import dev.sagaflow.examples.boot.support.TestPostgres;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The order service over HTTP, on PostgreSQL, as it runs: the web server on a random port, the starter's orchestrator
 * on the JDBC store, Actuator. Each test makes a customer of its own, so the tests share the application and the
 * database without seeing each other's credit.
 */
@RequiresPostgres
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrderServiceTest {
    @LocalServerPort
    private int port;
    @Autowired
    private JdbcTemplate jdbc;
    // The real repository; two tests make one of its calls fail for one order, as a crash or a bug would.
    @MockitoSpyBean
    private OrderRepository orders;

    private RestClient http;
    private String customer;

    /** PostgreSQL for the application, in a schema emptied before the context starts. */
    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestPostgres.recreateSchema();
        registry.add("spring.datasource.url", TestPostgres::schemaUrl);
        registry.add("spring.datasource.username", TestPostgres::user);
        registry.add("spring.datasource.password", TestPostgres::password);
    }

    @BeforeEach
    void customer_with_a_limit_of_100() {
        http = RestClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultStatusHandler(status -> true, (request, response) -> {
                    // every status is an answer the tests look at
                })
                .build();
        customer = "customer-" + UUID.randomUUID();
        jdbc.update("INSERT INTO customers (id, credit_limit) VALUES (?, ?)", customer, new BigDecimal("100.00"));
    }

    @Test
    void an_order_within_the_credit_limit_completes_approved_and_holds_the_credit() {
        JsonNode placed = placeAndWait("60.00");

        assertThat(placed.path("status").asString()).isEqualTo("COMPLETED");
        assertThat(order(placed).path("order").path("status").asString()).isEqualTo("APPROVED");
        assertThat(reserved()).isEqualByComparingTo("60.00");
    }

    @Test
    void an_order_over_the_credit_limit_compensates_rejected_and_holds_no_credit() {
        JsonNode placed = placeAndWait("150.00");

        assertThat(placed.path("status").asString()).isEqualTo("COMPENSATED");
        assertThat(placed.path("error").asString()).contains("credit limit exceeded");
        JsonNode details = order(placed);
        assertThat(details.path("order").path("status").asString()).isEqualTo("REJECTED");
        assertThat(stepStatuses(details)).containsExactly("COMPENSATED", "FAILED", "PENDING");
        assertThat(reserved()).isEqualByComparingTo("0");
    }

    @Test
    void when_approval_fails_the_credit_is_released_and_the_order_rejected() {
        doAnswer(invocation -> {
            throw new IllegalStateException("approval failed");
        }).when(orders).approve(argThat(orderId -> customerOf(orderId).equals(customer)));

        JsonNode placed = placeAndWait("60.00");

        assertThat(placed.path("status").asString()).isEqualTo("COMPENSATED");
        JsonNode details = order(placed);
        assertThat(details.path("order").path("status").asString()).isEqualTo("REJECTED");
        assertThat(stepStatuses(details)).containsExactly("COMPENSATED", "COMPENSATED", "FAILED");
        assertThat(reserved()).isEqualByComparingTo("0");
    }

    @Test
    void when_create_order_fails_after_its_insert_the_insert_rolls_back_with_the_step() {
        doAnswer(invocation -> {
            invocation.callRealMethod();
            // The row is inserted, in the step's transaction; now the step fails before its checkpoint.
            throw new IllegalStateException("failed after the insert");
        }).when(orders).insertPending(argThat(order -> order.customerId().equals(customer)));

        JsonNode placed = placeAndWait("60.00");

        assertThat(placed.path("status").asString()).isEqualTo("COMPENSATED");
        JsonNode details = order(placed);
        assertThat(details.path("order").isNull()).isTrue();
        assertThat(stepStatuses(details)).containsExactly("FAILED", "PENDING", "PENDING");
        assertThat(details.path("saga").path("steps").get(0).path("error").asString())
                .contains("failed after the insert");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Integer.class,
                placed.path("orderId").asString())).isZero();
        assertThat(reserved()).isEqualByComparingTo("0");
    }

    @Test
    void post_answers_202_with_the_saga_id_and_get_shows_the_saga_and_its_steps() {
        ResponseEntity<JsonNode> accepted = post("/orders", "60.00");

        assertThat(accepted.getStatusCode().value()).isEqualTo(202);
        String orderId = accepted.getBody().path("orderId").asString();
        assertThat(accepted.getHeaders().getLocation()).hasToString("/orders/" + orderId);
        await().atMost(Duration.ofSeconds(30)).until(() -> "COMPLETED".equals(
                get("/orders/" + orderId).getBody().path("saga").path("status").asString()));
        JsonNode details = get("/orders/" + orderId).getBody();
        assertThat(details.path("saga").path("sagaId").asString())
                .isEqualTo(accepted.getBody().path("sagaId").asString());
        assertThat(stepNames(details)).containsExactly(OrderSaga.CREATE_ORDER, OrderSaga.RESERVE_CREDIT,
                OrderSaga.APPROVE_ORDER);
        assertThat(stepStatuses(details)).containsOnly("SUCCEEDED");
        assertThat(details.path("order").path("status").asString()).isEqualTo("APPROVED");
    }

    @Test
    void bad_orders_are_refused_and_unknown_orders_not_found() {
        assertThat(post("/orders", "-1").getStatusCode().value()).isEqualTo(400);
        assertThat(get("/orders/" + UUID.randomUUID()).getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void health_is_up_with_the_sagaflow_component() {
        ResponseEntity<JsonNode> health = get("/actuator/health");

        assertThat(health.getStatusCode().value()).isEqualTo(200);
        assertThat(health.getBody().path("status").asString()).isEqualTo("UP");
        JsonNode sagaflow = health.getBody().path("components").path("sagaflow");
        assertThat(sagaflow.path("status").asString()).isEqualTo("UP");
        assertThat(sagaflow.path("details").path("store").asString()).contains("PostgreSQL");
    }

    @Test
    void the_saga_execution_metric_counts_a_completed_saga() {
        placeAndWait("10.00");

        ResponseEntity<JsonNode> metric = get("/actuator/metrics/sagaflow.saga.execution?tag=saga:place-order"
                + "&tag=outcome:completed");

        assertThat(metric.getStatusCode().value()).isEqualTo(200);
        assertThat(metric.getBody().path("measurements").get(0).path("statistic").asString()).isEqualTo("COUNT");
        assertThat(metric.getBody().path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1);
    }

    private JsonNode placeAndWait(String amount) {
        ResponseEntity<JsonNode> response = post("/orders?wait=true", amount);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        return response.getBody();
    }

    private ResponseEntity<JsonNode> post(String path, String amount) {
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("customer", customer, "amount", new BigDecimal(amount)))
                .retrieve().toEntity(JsonNode.class);
    }

    private ResponseEntity<JsonNode> get(String path) {
        return http.get().uri(path).retrieve().toEntity(JsonNode.class);
    }

    private JsonNode order(JsonNode placed) {
        ResponseEntity<JsonNode> response = get("/orders/" + placed.path("orderId").asString());
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        return response.getBody();
    }

    private BigDecimal reserved() {
        return jdbc.queryForObject("SELECT COALESCE(SUM(amount), 0) FROM credit_reservations WHERE customer_id = ?",
                BigDecimal.class, customer);
    }

    private String customerOf(String orderId) {
        return jdbc.queryForObject("SELECT customer_id FROM orders WHERE id = ?", String.class, orderId);
    }

    private static List<String> stepNames(JsonNode details) {
        return steps(details, "name");
    }

    private static List<String> stepStatuses(JsonNode details) {
        return steps(details, "status");
    }

    private static List<String> steps(JsonNode details, String field) {
        List<String> values = new ArrayList<>();
        details.path("saga").path("steps").forEach(step -> values.add(step.path(field).asString()));
        return values;
    }
}
