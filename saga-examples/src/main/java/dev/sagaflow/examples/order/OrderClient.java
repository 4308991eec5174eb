package dev.sagaflow.examples.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A client of {@link OrderHttpApi}, as another program would be: it posts orders and polls
 * {@code GET /orders/{id}} until the order's saga has finished. Thread-safe.
 */
public final class OrderClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINISHED = Set.of("COMPLETED", "COMPENSATED", "FAILED");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A client of the API at {@code base} ({@code http://localhost:8080}). */
    public OrderClient(URI base) {
        this.base = base;
    }

    /** The API's base URI. */
    public URI base() {
        return base;
    }

    /**
     * {@code POST /orders}; returns the response (status and JSON body).
     *
     * @throws IOException if the server cannot be reached
     */
    public Response placeOrder(String customerId, BigDecimal amount) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("customerId", customerId, "amount", amount));
        return send(HttpRequest.newBuilder(base.resolve("/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** {@code GET /orders/{id}}. */
    public Response getOrder(String orderId) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/orders/" + orderId)).GET());
    }

    /**
     * Polls {@code GET /orders/{id}} until the order's saga is COMPLETED, COMPENSATED or FAILED, and
     * returns that last response.
     *
     * @throws IllegalStateException if it has not finished within {@code patience}
     */
    public Response awaitFinished(String orderId, Duration patience) throws IOException, InterruptedException {
        Instant giveUp = Instant.now().plus(patience);
        while (true) {
            Response response = getOrder(orderId);
            if (FINISHED.contains(response.json().path("saga").path("status").asText())) {
                return response;
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("order " + orderId + " has not finished within " + patience + ": "
                        + response.body());
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(),
                response.headers().firstValue("Location").orElse(null));
    }

    /**
     * An HTTP response. Immutable.
     *
     * @param status the status code
     * @param body the body as text
     * @param location the {@code Location} header, or {@code null}
     */
    public record Response(int status, String body, String location) {
        /** The body as a JSON tree. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }
}
