package dev.sagaflow.rabbitmq.internal;

/**
 * Where a message is published: {@code exchange/routing-key}, or a queue name alone, which means the default
 * exchange with the queue name as routing key (RabbitMQ routes such a message straight to that queue).
 *
 * @param exchange the exchange, {@code ""} for the default exchange
 * @param routingKey the routing key
 */
public record Destination(String exchange, String routingKey) {

    /**
     * Reads a destination. The first {@code '/'} separates exchange and routing key, so routing keys may contain
     * {@code '/'}; a destination without one is a queue on the default exchange.
     *
     * @throws IllegalArgumentException if it is blank
     */
    public static Destination parse(String destination) {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("a RabbitMQ destination cannot be blank");
        }
        int slash = destination.indexOf('/');
        if (slash < 0) {
            return new Destination("", destination);
        }
        return new Destination(destination.substring(0, slash), destination.substring(slash + 1));
    }

    @Override
    public String toString() {
        return exchange.isEmpty() ? "queue '" + routingKey + "'" : "exchange '" + exchange + "' routing key '"
                + routingKey + "'";
    }
}
