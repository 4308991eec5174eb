package dev.sagaflow.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hides what operators must not see of a saga's data (card numbers, personal data) before the console
 * shows it. The console parses the stored data (JSON), hands a copy of the tree to the masker and shows
 * what it returns, pretty-printed; the stored data is never changed. Error texts and step names are shown
 * as stored: keep secrets out of exception messages, or redact them in the store.
 *
 * <p>Must be thread-safe. If it throws, or the stored data is not JSON, the console shows no data for that
 * saga (and says why), never the unmasked data.
 */
@FunctionalInterface
public interface DataMasker {
    /** What a masked value is replaced with by {@link #fields(String...)}. */
    String MASK = "***";

    /**
     * The data to show for an instance of saga {@code sagaName}.
     *
     * @param sagaName the saga's name, to mask per saga
     * @param data a copy of the stored data; the masker may change it and return it
     * @return what to show; {@code null} shows nothing
     */
    JsonNode mask(String sagaName, JsonNode data);

    /** Shows the data as stored. The default. */
    static DataMasker none() {
        return (sagaName, data) -> data;
    }

    /**
     * Replaces the value of every object field with one of these names, at any depth, with
     * {@value #MASK}; names are compared exactly.
     *
     * @throws IllegalArgumentException if a name is null
     */
    static DataMasker fields(String... names) {
        for (String name : names) {
            if (name == null) {
                throw new IllegalArgumentException("field name cannot be null");
            }
        }
        Set<String> masked = Set.copyOf(List.of(names));
        return (sagaName, data) -> {
            maskFields(data, masked);
            return data;
        };
    }

    private static void maskFields(JsonNode node, Set<String> names) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (names.contains(field.getKey())) {
                    field.setValue(TextNode.valueOf(MASK));
                } else {
                    maskFields(field.getValue(), names);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(element -> maskFields(element, names));
        }
    }
}
