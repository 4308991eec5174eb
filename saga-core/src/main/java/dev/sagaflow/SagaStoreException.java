package dev.sagaflow;

/**
 * The store failed to read or write (unreachable, or a statement failed). The runtime retries its
 * own writes with backoff; hosts see this only from operator calls that read the store.
 */
public class SagaStoreException extends SagaException {
    public SagaStoreException(String message, String sagaId, Throwable cause) {
        super(message, null, sagaId, null, cause);
    }
}
