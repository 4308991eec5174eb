package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
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

    /** The characters of text the write carries, for the database's statement size limit. */
    public long textLength() {
        long length = data.length() + steps.length() + (metadata == null ? 0 : metadata.length());
        String error = write.instance().error();
        length += error == null ? 0 : error.length();
        for (var message : write.outbox()) {
            length += message.payload().length();
        }
        return length;
    }
}
