package dev.sagaflow;

/**
 * A stored instance was started by a definition whose steps differ from the registered definition
 * of the same name and version. The instance is left untouched; register the definition it was
 * started with (or a new version for new instances) to resume it.
 */
public class DefinitionMismatchException extends SagaException {
    public DefinitionMismatchException(String message, String sagaName, String sagaId) {
        super(message, sagaName, sagaId, null, null);
    }
}
