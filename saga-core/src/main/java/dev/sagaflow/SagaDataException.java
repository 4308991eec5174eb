package dev.sagaflow;

/** Saga data could not be serialised to, or read back from, its stored JSON form. */
public class SagaDataException extends SagaException {
    public SagaDataException(String message, String sagaName, String sagaId, Throwable cause) {
        super(message, sagaName, sagaId, null, cause);
    }
}
