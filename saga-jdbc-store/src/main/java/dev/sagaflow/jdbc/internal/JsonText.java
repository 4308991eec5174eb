package dev.sagaflow.jdbc.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of the store's own columns ({@code steps}, history {@code entries}): an array of arrays of scalars,
 * written and read with Jackson's streaming API ({@link JsonGenerator}, {@link JsonParser}), no tree and no
 * data binding. Compact: no spaces, lower-case hex in {@code \\u} escapes. Stateless and thread-safe.
 */
final class JsonText {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    private JsonText() {
    }

    /** Writes one value with a generator. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator out) throws IOException;
    }

    /** Reads one inner array of the outer one. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(Row row);
    }

    /** The text {@code writer} writes. */
    static String write(Writer writer) {
        // As ObjectMapper.writeValueAsString does: the text is gathered in the factory's recycled buffers.
        BufferRecycler buffers = FACTORY._getBufferRecycler();
        try (SegmentedStringWriter text = new SegmentedStringWriter(buffers)) {
            try (JsonGenerator out = FACTORY.createGenerator(text)) {
                writer.write(out);
            }
            return text.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the store's JSON", e); // a string writer does not fail
        } finally {
            buffers.releaseToPool();
        }
    }

    /**
     * The rows of the JSON array of arrays in {@code text}, each read by {@code reader}. An element that is not an
     * array is passed on as a {@link Row} with {@link Row#isArray()} false; nested arrays and objects inside a row
     * are read as values that are neither text nor numbers.
     *
     * @throws IllegalArgumentException naming {@code what} if {@code text} is not a JSON array, or is not valid
     *     JSON; or whatever {@code reader} throws
     */
    static <T> List<T> readRows(String text, String what, RowReader<T> reader) {
        try (JsonParser in = FACTORY.createParser(text)) {
            if (in.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(what + " are not a JSON array: " + abbreviate(text));
            }
            List<T> rows = new ArrayList<>();
            for (JsonToken token = in.nextToken(); token != JsonToken.END_ARRAY; token = in.nextToken()) {
                if (token == null) {
                    throw new IllegalArgumentException(what + " are not valid JSON: the array does not end");
                }
                rows.add(reader.read(readRow(in, text)));
            }
            if (in.nextToken() != null) {
                throw new IllegalArgumentException(what + " are not valid JSON: text after the array");
            }
            return rows;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " are not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a string does not fail
        }
    }

    /** The row that starts at the parser's current token. */
    private static Row readRow(JsonParser in, String text) throws IOException {
        int start = (int) in.currentTokenLocation().getCharOffset();
        if (in.currentToken() != JsonToken.START_ARRAY) {
            in.skipChildren();
            return new Row(null, text, start, (int) in.currentLocation().getCharOffset());
        }
        List<Object> values = new ArrayList<>(9);
        // A text that ends inside the row makes the parser throw; null is checked all the same.
        for (JsonToken token = in.nextToken(); token != JsonToken.END_ARRAY && token != null; token = in.nextToken()) {
            values.add(switch (token) {
                case VALUE_STRING -> in.getText();
                case VALUE_NUMBER_INT -> in.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? in.getBigIntegerValue() : (Object) in.getLongValue();
                case VALUE_NUMBER_FLOAT -> in.getDoubleValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                default -> {
                    in.skipChildren();
                    yield Row.NESTED;
                }
            });
        }
        return new Row(values, text, start, (int) in.currentLocation().getCharOffset());
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** One element of the outer array: its values if it is an array, and its text for messages. */
    static final class Row {
        static final Object NESTED = new Object();

        private final List<Object> values;
        private final String text;
        private final int start;
        private final int end;

        Row(List<Object> values, String text, int start, int end) {
            this.values = values;
            this.text = text;
            this.start = start;
            this.end = end;
        }

        /** Whether the element is an array. */
        boolean isArray() {
            return values != null;
        }

        /** How many values the array has. */
        int size() {
            return values == null ? 0 : values.size();
        }

        /** Value {@code index} as text (a number or boolean as written); {@code null} when absent, null or nested. */
        String text(int index) {
            Object value = value(index);
            return value == null || value == NESTED ? null : value.toString();
        }

        /**
         * Value {@code index} as a whole number; {@code absent} when absent or null.
         *
         * @throws IllegalArgumentException if it is there but not a whole number that fits a {@code long}
         */
        long number(int index, String name, long absent) {
            Object value = value(index);
            if (value == null) {
                return absent;
            }
            if (!(value instanceof Long number)) {
                throw new IllegalArgumentException(name + " is not a whole number: " + display(value));
            }
            return number;
        }

        /**
         * Value {@code index} as a boolean; {@code false} when absent or null.
         *
         * @throws IllegalArgumentException if it is there but not {@code true} or {@code false}
         */
        boolean bool(int index, String name) {
            Object value = value(index);
            if (value == null) {
                return false;
            }
            if (!(value instanceof Boolean flag)) {
                throw new IllegalArgumentException(name + " is not true or false: " + display(value));
            }
            return flag;
        }

        /** Whether value {@code index} is absent or null. */
        boolean isNull(int index) {
            return value(index) == null;
        }

        private Object value(int index) {
            return values == null || index >= values.size() ? null : values.get(index);
        }

        private static String display(Object value) {
            return value instanceof String s ? '"' + s + '"' : value == NESTED ? "an array or object" : value.toString();
        }

        /** The element's JSON text, abbreviated, for messages. */
        @Override
        public String toString() {
            return abbreviate(text.substring(start, Math.min(Math.max(end, start), text.length())));
        }
    }
}
