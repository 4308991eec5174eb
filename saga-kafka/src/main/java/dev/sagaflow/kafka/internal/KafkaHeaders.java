package dev.sagaflow.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Kafka record headers (bytes) as the text headers Sagaflow reads and writes, UTF-8. */
public final class KafkaHeaders {
    private KafkaHeaders() {
    }

    /** Record headers holding {@code text}, each value as UTF-8. */
    public static Headers of(Map<String, String> text) {
        RecordHeaders headers = new RecordHeaders();
        text.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    /** The headers as text; of a header given twice, the last wins. */
    public static Map<String, String> text(Headers headers) {
        Map<String, String> text = new LinkedHashMap<>();
        for (Header header : headers) {
            if (header.value() != null) {
                text.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return text;
    }
}
