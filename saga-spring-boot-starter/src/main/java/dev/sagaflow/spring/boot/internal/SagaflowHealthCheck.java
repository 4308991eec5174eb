package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.SagaOrchestrator;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the Sagaflow health indicator reports, on either Spring Boot line: UP when the orchestrator runs, the
 * store answers (one read by id), and this node renewed its leases within the lease duration; DOWN otherwise.
 * Thread-safe.
 */
public final class SagaflowHealthCheck implements Predicate<Map<String, Object>> {
    private static final String PROBE_ID = "00000000-0000-0000-0000-000000000000";

    private final SagaOrchestrator orchestrator;
    private final LeaseWatch store;
    private final Duration leaseDuration;

    /**
     * @param leaseDuration the lease duration, or null when the leases cannot be watched (the application built
     *     its own orchestrator): then only the store is checked
     */
    public SagaflowHealthCheck(SagaOrchestrator orchestrator, LeaseWatch store, Duration leaseDuration) {
        this.orchestrator = orchestrator;
        this.store = store;
        this.leaseDuration = leaseDuration;
    }

    @Override
    public boolean test(Map<String, Object> details) {
        boolean running = !(orchestrator instanceof ManagedSagaOrchestrator managed) || managed.isRunning();
        details.put("running", running);
        if (running) {
            details.put("nodeId", orchestrator.nodeId());
        }
        details.put("store", store.toString());
        boolean reachable;
        try {
            store.find(PROBE_ID);
            reachable = true;
        } catch (RuntimeException e) {
            reachable = false;
            details.put("storeError", e.toString());
        }
        details.put("storeReachable", reachable);
        boolean leasesCurrent = leaseDuration == null || store.leasesCurrent(leaseDuration);
        if (leaseDuration != null) {
            details.put("leasesCurrent", leasesCurrent);
            details.put("leaseDuration", leaseDuration.toString());
        }
        if (store.lastRenewal() != null) {
            details.put("lastLeaseRenewal", store.lastRenewal().toString());
        }
        if (store.lastRenewalError() != null) {
            details.put("lastLeaseRenewalError", store.lastRenewalError());
        }
        return running && reachable && leasesCurrent;
    }
}
