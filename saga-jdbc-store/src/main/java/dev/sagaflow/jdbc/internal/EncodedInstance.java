package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.SagaInstance;
import java.util.List;

/**
 * One write with its instance's data, steps and metadata already encoded as the text the columns hold, and its
 * lease in microseconds. Encoding happens here, before any connection is taken, so data that cannot be
 * serialised never costs a round-trip.
 *
 * @param write the write
 * @param data the instance's data as JSON
 * @param steps its steps as {@link StepsJson}
 * @param metadata its metadata as a JSON object, or {@code null} when it has none
 */
public record EncodedInstance(InstanceWrite write, String data, String steps, String metadata) {

    /**
     * Encodes {@code write}'s instance.
     *
     * @throws dev.sagaflow.SagaDataException if the data cannot be serialised
     */
    public static EncodedInstance of(InstanceWrite write) {
        SagaInstance instance = write.instance();
        return new EncodedInstance(write, instance.data().json(), StepsJson.encode(instance.steps()),
                MetadataJson.encode(instance.metadata()));
    }

    /** The instance written. */
    public SagaInstance instance() {
        return write.instance();
    }

    /** The instance's id. */
    public String id() {
        return write.instance().id();
    }

    /** The history entries the write records. */
    public List<HistoryEntry> history() {
        return write.history();
    }

    /** The lease from the store's clock in microseconds, or {@code null} for an instance without an owner. */
    public Long leaseMicros() {
        return write.lease() == null ? null : Micros.of(write.lease());
    }

    /** Whether the write also consumes recorded replies or adds outbox messages. */
    public boolean hasExtras() {
        return !write.consumedReplies().isEmpty() || !write.outbox().isEmpty();
    }

    /**
     * About how many bytes of text the write carries in UTF-8: its data, steps and metadata, its error twice (the
     * column and the history entry that records it) and its messages, for the database's statement size limit.
     */
    public long textBytes() {
        String error = write.instance().error();
        long bytes = utf8(data) + utf8(steps) + utf8(metadata) + 2 * utf8(error);
        for (OutboxMessage message : write.outbox()) {
            bytes += utf8(message.payload());
        }
        return bytes;
    }

    private static long utf8(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // A surrogate pair is four bytes: two for each half.
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
