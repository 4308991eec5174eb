package dev.sagaflow.examples.boot;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.store.StepState;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /orders} places an order by starting its saga; {@code GET /orders/{orderId}} shows the order and its
 * saga. The order's id is the saga's idempotency key, so the saga is found by the order's id.
 */
@RestController
@RequestMapping("/orders")
public class OrderController {
    /** How long {@code ?wait=true} waits for the outcome before answering 202 like a plain POST. */
    static final Duration WAIT_LIMIT = Duration.ofSeconds(30);

    private final SagaOrchestrator orchestrator;
    private final SagaDefinition<OrderSagaData> placeOrder;
    private final OrderRepository orders;

    /** A controller that starts {@code placeOrder} on {@code orchestrator}. */
    public OrderController(SagaOrchestrator orchestrator, SagaDefinition<OrderSagaData> placeOrder,
            OrderRepository orders) {
        this.orchestrator = orchestrator;
        this.placeOrder = placeOrder;
        this.orders = orders;
    }

    /**
     * Starts the order saga for a new order and answers 202 with the order's and the saga's ids; with
     * {@code wait=true}, answers 200 with the saga's outcome once it has one.
     */
    @PostMapping
    public ResponseEntity<PlacedOrder> place(@RequestBody NewOrder request,
            @RequestParam(name = "wait", defaultValue = "false") boolean wait) throws InterruptedException {
        OrderSagaData data = new OrderSagaData(UUID.randomUUID().toString(), request.customer(), request.amount());
        validate(data);
        SagaExecution<OrderSagaData> execution = orchestrator.start(placeOrder, data, data.orderId());
        if (wait) {
            try {
                SagaOutcome<OrderSagaData> outcome = execution.await(WAIT_LIMIT);
                return ResponseEntity.ok(new PlacedOrder(data.orderId(), execution.sagaId(), outcome.status().name(),
                        outcome.error()));
            } catch (TimeoutException e) {
                // Still running (a retry is waiting): answer as without wait; the client polls GET.
            }
        }
        return ResponseEntity.accepted().location(URI.create("/orders/" + data.orderId()))
                .body(new PlacedOrder(data.orderId(), execution.sagaId(), null, null));
    }

    /** The order (absent when its saga failed before inserting it) and its saga; 404 when neither exists. */
    @GetMapping("/{orderId}")
    public OrderDetails find(@PathVariable("orderId") String orderId) {
        Optional<Order> order = orders.find(orderId);
        Optional<SagaInfo> saga = orchestrator.findByIdempotencyKey(OrderSaga.NAME, orderId);
        if (order.isEmpty() && saga.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + orderId);
        }
        return new OrderDetails(order.orElse(null), saga.map(SagaView::of).orElse(null));
    }

    private static void validate(OrderSagaData data) {
        if (data.customerId() == null || data.customerId().isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "customer is required");
        }
        if (data.amount() == null || data.amount().signum() <= 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "amount must be > 0");
        }
    }

    /**
     * The body of {@code POST /orders}.
     *
     * @param customer the customer's id ({@code alice} and {@code bob} exist, see data.sql)
     * @param amount the order's total
     */
    public record NewOrder(String customer, BigDecimal amount) {
    }

    /**
     * The answer to {@code POST /orders}.
     *
     * @param orderId the new order
     * @param sagaId its saga instance
     * @param status the saga's outcome ({@code COMPLETED}, {@code COMPENSATED}, {@code FAILED}), or {@code null}
     *     when the answer did not wait for it
     * @param error why the saga compensated or failed, or {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlacedOrder(String orderId, String sagaId, String status, String error) {
    }

    /**
     * The answer to {@code GET /orders/{orderId}}.
     *
     * @param order the order's row, or {@code null} if it was never inserted (or its insert rolled back)
     * @param saga the order's saga, or {@code null} if it was purged
     */
    public record OrderDetails(Order order, SagaView saga) {
    }

    /**
     * What the API shows of a saga instance.
     *
     * @param sagaId the instance
     * @param status its status
     * @param error why it compensates or failed, or {@code null}
     * @param steps its steps, in order
     */
    public record SagaView(String sagaId, String status, String error, List<StepView> steps) {
        static SagaView of(SagaInfo info) {
            return new SagaView(info.sagaId(), info.status().name(), info.error(),
                    info.steps().stream().map(StepView::of).toList());
        }
    }

    /**
     * What the API shows of a step.
     *
     * @param name the step
     * @param status its status
     * @param attempts how many times its action ran
     * @param compensationAttempts how many times its compensation ran
     * @param error its last error, or {@code null}
     */
    public record StepView(String name, String status, int attempts, int compensationAttempts, String error) {
        static StepView of(StepState step) {
            return new StepView(step.name(), step.status().name(), step.attempts(), step.compensationAttempts(),
                    step.error());
        }
    }
}
