package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.SagaInstance;

/**
 * An instance with its data and steps already encoded as the JSON text the columns hold. Encoding happens
 * here, before any connection is taken, so data that cannot be serialised never costs a round-trip.
 *
 * @param instance the instance
 * @param data its data as JSON
 * @param steps its steps as {@link StepsJson}
 */
public record EncodedInstance(SagaInstance instance, String data, String steps) {

    /**
     * Encodes {@code instance}'s data and steps.
     *
     * @throws dev.sagaflow.SagaDataException if the data cannot be serialised
     */
    public static EncodedInstance of(SagaInstance instance) {
        return new EncodedInstance(instance, instance.data().json(), StepsJson.encode(instance.steps()));
    }

    /** The instance's id. */
    public String id() {
        return instance.id();
    }
}
