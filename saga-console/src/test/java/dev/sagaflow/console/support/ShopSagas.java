package dev.sagaflow.console.support;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SynchronousExecutor;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shop whose sagas end up in every state the console shows, on any store: COMPLETED (one after retries
 * past its pivot), COMPENSATED, FAILED (a compensation gave up), RUNNING waiting for a reply, RUNNING
 * retrying a step, COMPENSATING retrying a compensation, and a saga whose name, step name, data and error
 * text are hostile HTML. Runs on a {@link ManualTimer} started hours ago and a synchronous executor, so
 * every saga is where the fixture left it, and a retry or abort from the console runs to its end before
 * the console answers.
 *
 * <p>Each instance's id is in {@link #ids()} under its role ({@code completed}, {@code failed}, ...).
 */
public final class ShopSagas implements AutoCloseable {
    /** Text that runs script if a page ever shows it unescaped. */
    public static final String SCRIPT = "<script>window.__pwned = true; alert('pwned')</script>";
    public static final String HOSTILE_SAGA = "refund-" + "<img src=x onerror=\"window.__pwned=true\">";
    public static final String HOSTILE_STEP = "<b onmouseover=\"window.__pwned=true\">notify</b>";

    /** The order's data; {@code plan} says how its saga goes. */
    public record Order(String orderId, String customer, String cardNumber, String note, String plan,
            int mailFailures) {
    }

    private final ManualTimer timer;
    private final SagaOrchestrator orchestrator;
    private final SagaDefinition<Order> orderSaga;
    private final SagaDefinition<Order> paymentSaga;
    private final SagaDefinition<Order> hostileSaga;
    private final AtomicBoolean ledgerUp = new AtomicBoolean(false);
    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, Integer> mailCalls = new java.util.concurrent.ConcurrentHashMap<>();

    private ShopSagas(SagaStore store, Instant start) {
        this.timer = new ManualTimer(start);
        this.orderSaga = Saga.define("order-saga", Order.class)
                .step("create-order").action((o, c) -> o).compensation((o, c) -> o)
                .step("reserve-credit").action((o, c) -> o).awaitReply()
                    .compensation((o, c) -> {
                        if (!ledgerUp.get()) {
                            throw new IOException("ledger unavailable: " + SCRIPT);
                        }
                        return o;
                    })
                    .compensationRetry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .step("charge-card").action((o, c) -> {
                    if (o.plan().startsWith("reject")) {
                        throw new BusinessRejection("card declined for " + o.customer() + ": " + SCRIPT);
                    }
                    return o;
                }).compensation((o, c) -> o)
                .pivot("approve-order").action((o, c) -> o)
                .step("send-mail").action((o, c) -> {
                    int call = mailCalls.merge(c.sagaId(), 1, Integer::sum);
                    if (call <= o.mailFailures()) {
                        throw new IOException("mail server refused the connection (call " + call + ")");
                    }
                    return o;
                }).retry(RetryPolicy.fixed(Duration.ofSeconds(2), 5))
                .build();
        this.paymentSaga = Saga.define("payment-saga", Order.class)
                .step("authorize").action((o, c) -> o).compensation((o, c) -> {
                    throw new IOException("payment provider timed out voiding the authorization");
                }).compensationRetry(RetryPolicy.fixed(Duration.ofDays(1), 10))
                .step("capture").action((o, c) -> {
                    if (o.plan().equals("fail")) {
                        throw new BusinessRejection("capture refused: amount exceeds the authorization");
                    }
                    throw new IOException("payment provider unavailable");
                }).retry(RetryPolicy.fixed(Duration.ofDays(1), 5))
                .build();
        this.hostileSaga = Saga.define(HOSTILE_SAGA, Order.class)
                .step(HOSTILE_STEP).action((o, c) -> {
                    throw new BusinessRejection(SCRIPT);
                }).build();
        this.orchestrator = SagaOrchestrator.builder(store).timer(timer).executor(new SynchronousExecutor())
                .nodeId("shop").register(orderSaga, paymentSaga, hostileSaga).build();
    }

    /**
     * Starts the shop's orchestrator over {@code store} with its clock at {@code start}, runs the sagas,
     * and moves its clock to {@code end} (tasks due later, such as day-long retry delays, stay pending).
     */
    public static ShopSagas populate(SagaStore store, Instant start, Instant end) {
        ShopSagas shop = new ShopSagas(store, start);
        shop.run(end);
        return shop;
    }

    private void run(Instant end) {
        completed("completed", "o-1", 0);
        completed("completed-after-retries", "o-2", 2);
        ids.put("compensated", order("o-3", "reject", 0));
        timer.advance(Duration.ofMinutes(5));
        ids.put("failed", order("o-4", "reject-stuck", 0));
        timer.advance(Duration.ofMinutes(5));
        ids.put("awaiting", order("o-5", "await", 0));
        timer.advance(Duration.ofMinutes(10));
        ids.put("retrying", orchestrator.start(paymentSaga, order("o-6", "retry")).sagaId());
        ids.put("compensating", orchestrator.start(paymentSaga, order("o-7", "fail")).sagaId());
        ids.put("hostile", orchestrator.start(hostileSaga, new Order("o-8", "\"><svg onload=alert(1)>", "4111 1111 1111 1111",
                SCRIPT, "hostile", 0)).sagaId());
        timer.advance(Duration.between(timer.now(), end));
        check("completed", SagaStatus.COMPLETED);
        check("completed-after-retries", SagaStatus.COMPLETED);
        check("compensated", SagaStatus.COMPENSATED);
        check("failed", SagaStatus.FAILED);
        check("awaiting", SagaStatus.RUNNING);
        check("retrying", SagaStatus.RUNNING);
        check("compensating", SagaStatus.COMPENSATING);
        check("hostile", SagaStatus.COMPENSATED);
    }

    private void completed(String role, String orderId, int mailFailures) {
        String id = order(orderId, "happy", mailFailures);
        orchestrator.reply(SagaReply.success(id, "reserve-credit", Map.of("reserved", true)));
        timer.advance(Duration.ofSeconds(2 * mailFailures + 1));
        ids.put(role, id);
        timer.advance(Duration.ofMinutes(3));
    }

    /** Starts an order saga; for "reject" plans, replies so that it reaches charge-card and is rejected. */
    private String order(String orderId, String plan, int mailFailures) {
        String id = orchestrator.start(orderSaga, new Order(orderId, "Ada", "4111 1111 1111 1111", SCRIPT, plan,
                mailFailures)).sagaId();
        if (plan.startsWith("reject")) {
            ledgerUp.set(plan.equals("reject"));
            timer.advance(Duration.ofMillis(40));
            orchestrator.reply(SagaReply.success(id, "reserve-credit", Map.of("reserved", true)));
            timer.advance(Duration.ofSeconds(3)); // the compensation's retries
            ledgerUp.set(false);
        }
        return id;
    }

    private static Order order(String orderId, String plan) {
        return new Order(orderId, "Grace", "5500 0000 0000 0004", "second attempt", plan, 0);
    }

    private void check(String role, SagaStatus expected) {
        SagaStatus actual = orchestrator.find(ids.get(role)).orElseThrow().status();
        if (actual != expected) {
            throw new IllegalStateException("the shop's " + role + " saga " + ids.get(role) + " is " + actual
                    + ", expected " + expected + ": " + orchestrator.find(ids.get(role)).orElseThrow());
        }
    }

    /** The instance ids by role. */
    public Map<String, String> ids() {
        return Map.copyOf(ids);
    }

    /** The id of the instance in {@code role}. */
    public String id(String role) {
        String id = ids.get(role);
        if (id == null) {
            throw new IllegalArgumentException("no saga in role " + role + "; roles: " + ids.keySet());
        }
        return id;
    }

    /** Starts one more order saga, with an idempotency key; it waits for its credit reply. */
    public String startKeyedOrder(String idempotencyKey) {
        return orchestrator.start(orderSaga, new Order("o-9", "Ada", "4111 1111 1111 1111", "keyed", "await", 0),
                idempotencyKey).sagaId();
    }

    /** Lets the ledger release credit again, so that a retried compensation of reserve-credit succeeds. */
    public void ledgerComesBack() {
        ledgerUp.set(true);
    }

    public SagaOrchestrator orchestrator() {
        return orchestrator;
    }

    public ManualTimer timer() {
        return timer;
    }

    /** Every saga name the shop runs. */
    public static List<String> sagaNames() {
        return new ArrayList<>(List.of("order-saga", "payment-saga", HOSTILE_SAGA));
    }

    @Override
    public void close() {
        orchestrator.close();
    }
}
