package dev.sagaflow.examples.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Order Service's HTTP API on the JDK's {@link HttpServer}, bound to the loopback address:
 *
 * <ul>
 *   <li>{@code POST /orders} with {@code {"customerId": "c-1", "amount": 60.00}}: creates the order
 *       PENDING, starts its saga and answers {@code 202 Accepted} with the order id, the saga id and a
 *       {@code Location} header;</li>
 *   <li>{@code GET /orders/{id}}: the order and its saga (status, steps, history), or {@code 404}.</li>
 * </ul>
 *
 * Bad input gets {@code 400} with {@code {"error": ...}}. Thread-safe.
 */
public final class OrderHttpApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String ORDERS = "/orders";

    private final OrderService orders;
    private final HttpServer server;
    private final ExecutorService executor;

    private OrderHttpApi(OrderService orders, HttpServer server, ExecutorService executor) {
        this.orders = orders;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code port} of the loopback address ({@code 0}: any free port; see {@link #port()}).
     *
     * @throws IOException if the port cannot be bound
     */
    public static OrderHttpApi start(OrderService orders, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, daemonThreads());
        OrderHttpApi api = new OrderHttpApi(orders, server, executor);
        server.createContext(ORDERS, api::handle);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://localhost:<port>}. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port());
    }

    /** Stops serving at once. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (RuntimeException e) {
            respond(exchange, 500, Map.of("error", String.valueOf(e.getMessage())));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals(ORDERS) && method.equals("POST")) {
            placeOrder(exchange);
        } else if (path.startsWith(ORDERS + "/") && method.equals("GET")) {
            showOrder(exchange, path.substring(ORDERS.length() + 1));
        } else {
            respond(exchange, 404, Map.of("error", "no such resource: " + method + " " + path));
        }
    }

    private void placeOrder(HttpExchange exchange) throws IOException {
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            respond(exchange, 400, Map.of("error", "the body is not JSON: " + e.getOriginalMessage()));
            return;
        }
        String customerId = body == null ? null : body.path("customerId").asText(null);
        BigDecimal amount = body == null || !body.path("amount").isNumber() ? null : body.path("amount").decimalValue();
        PlacedOrder placed;
        try {
            placed = orders.placeOrder(customerId, amount);
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, Map.of("error", e.getMessage()));
            return;
        }
        Order order = placed.order();
        exchange.getResponseHeaders().add("Location", ORDERS + "/" + order.id());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("orderId", order.id());
        response.put("status", order.status());
        response.put("sagaId", placed.saga().sagaId());
        respond(exchange, 202, response);
    }

    private void showOrder(HttpExchange exchange, String orderId) throws IOException {
        OrderView view = orders.findOrder(orderId).orElse(null);
        if (view == null) {
            respond(exchange, 404, Map.of("error", "no order " + orderId));
            return;
        }
        respond(exchange, 200, render(view));
    }

    /** The JSON shape of an order and its saga. */
    static Map<String, Object> render(OrderView view) {
        Order order = view.order();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("orderId", order.id());
        json.put("customerId", order.customerId());
        json.put("amount", order.amount());
        json.put("status", order.status());
        view.saga().ifPresent(saga -> json.put("saga", render(saga)));
        return json;
    }

    private static Map<String, Object> render(SagaInfo saga) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sagaId", saga.sagaId());
        json.put("name", saga.sagaName());
        json.put("status", saga.status());
        json.put("error", saga.error());
        json.put("steps", saga.steps().stream().map(OrderHttpApi::render).toList());
        json.put("history", saga.history().stream().map(OrderHttpApi::render).toList());
        return json;
    }

    private static Map<String, Object> render(StepState step) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", step.name());
        json.put("status", step.status());
        json.put("attempts", step.attempts());
        if (step.compensationAttempts() > 0) {
            json.put("compensationAttempts", step.compensationAttempts());
        }
        if (step.error() != null) {
            json.put("error", step.error());
        }
        return json;
    }

    private static Map<String, Object> render(HistoryEntry entry) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("at", entry.at().toString());
        json.put("event", entry.type());
        if (entry.step() != null) {
            json.put("step", entry.step());
            json.put("attempt", entry.attempt());
        }
        if (entry.detail() != null) {
            json.put("detail", entry.detail());
        }
        return json;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).concat("\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "order-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
