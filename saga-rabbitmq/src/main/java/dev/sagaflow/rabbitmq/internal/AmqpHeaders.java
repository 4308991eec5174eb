package dev.sagaflow.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import dev.sagaflow.store.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** AMQP header tables as the text headers Sagaflow reads. */
public final class AmqpHeaders {
    private AmqpHeaders() {
    }

    /**
     * The headers of a received message as text (AMQP long strings and byte arrays as UTF-8, other values with
     * {@code toString()}); the AMQP {@code correlation_id} and {@code message_id} properties stand in for the
     * Sagaflow headers of the same meaning when those are absent, so that a participant may use either.
     */
    public static Map<String, String> text(AMQP.BasicProperties properties) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (properties == null) {
            return headers;
        }
        if (properties.getHeaders() != null) {
            properties.getHeaders().forEach((name, value) -> {
                if (value != null) {
                    headers.put(name, value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                            : value.toString());
                }
            });
        }
        if (properties.getCorrelationId() != null) {
            headers.putIfAbsent(OutboxMessage.CORRELATION_ID_HEADER, properties.getCorrelationId());
        }
        if (properties.getMessageId() != null) {
            headers.putIfAbsent(OutboxMessage.MESSAGE_ID_HEADER, properties.getMessageId());
        }
        return headers;
    }
}
