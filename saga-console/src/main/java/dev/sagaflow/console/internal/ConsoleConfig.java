package dev.sagaflow.console.internal;

import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.console.Authorizer;
import dev.sagaflow.console.DataMasker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A console's settings, as built by {@code SagaConsole.Builder}. Immutable once built (the secret is a
 * copy that nothing changes).
 *
 * @param orchestrator what the console reads and acts on
 * @param authorizer the host's authorizer, or {@code null} for anonymous read-only access from loopback
 * @param dataMasker applied to saga data before it is shown
 * @param basePath where the console is mounted: {@code ""} or {@code /a/b}
 * @param awaitingReplyThreshold how long a wait for a reply may last before the overview lists it
 * @param pageSize instances per list page
 * @param trustedOrigins origins accepted for POSTs besides the request's own, lower case
 * @param csrfSecret the key that signs CSRF tokens
 * @param clock for ages and token expiry
 */
public record ConsoleConfig(SagaOrchestrator orchestrator, Authorizer authorizer, DataMasker dataMasker,
        String basePath, Duration awaitingReplyThreshold, int pageSize, List<String> trustedOrigins,
        byte[] csrfSecret, Clock clock) {

    /** Whether requests are served without an authorizer (loopback only, read-only). */
    public boolean anonymousReadOnlyOnLoopback() {
        return authorizer == null;
    }

    @Override
    public String toString() {
        return "basePath \"" + (basePath.isEmpty() ? "/" : basePath) + "\", "
                + (authorizer == null ? "anonymous read-only access from loopback only" : "authorizer " + authorizer)
                + ", dataMasker " + dataMasker + ", awaitingReplyThreshold " + awaitingReplyThreshold + ", pageSize "
                + pageSize + ", trustedOrigins " + trustedOrigins + ", orchestrator node " + orchestrator.nodeId();
    }
}
