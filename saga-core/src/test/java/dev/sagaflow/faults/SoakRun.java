package dev.sagaflow.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.BusinessRejection;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Pushes many short sagas through one orchestrator in batches and checks, after every batch and at
 * the end, that nothing outlives the sagas: timer tasks (only lease renewal and polling may wait),
 * instances held in memory (weak references to sampled outcome data are cleared), the runtime's
 * threads (none after close), and heap in use. Every 10th saga retries once (a timer task), every
 * step has a timeout (a timer task cancelled on success), and every 7th saga is rejected at its
 * last step and compensates.
 */
public final class SoakRun {
    private final SagaStore store;
    private final Runnable afterBatch;

    /**
     * @param store the store the sagas go through
     * @param afterBatch runs between batches, when no saga is live (an in-memory store is emptied there)
     */
    public SoakRun(SagaStore store, Runnable afterBatch) {
        this.store = store;
        this.afterBatch = afterBatch;
    }

    private static SagaDefinition<Trail> definition() {
        return Saga.define("soak", Trail.class)
                .step("reserve").action((trail, context) -> trail.mark("r")).compensation((trail, context) -> trail)
                .timeout(Duration.ofHours(1))
                .step("charge").action((trail, context) -> {
                    if (context.attempt() == 1 && trail.name().endsWith("0")) {
                        throw new IOException("flaky");
                    }
                    return trail.mark("c");
                }).compensation((trail, context) -> trail).retry(RetryPolicy.fixed(Duration.ofMillis(1), 3))
                .timeout(Duration.ofHours(1))
                .step("confirm").action((trail, context) -> {
                    if (Long.parseLong(trail.name()) % 7 == 0) {
                        throw new BusinessRejection("no");
                    }
                    return trail.mark("f");
                }).timeout(Duration.ofHours(1))
                .build();
    }

    /** Runs {@code total} sagas in batches of {@code batch}; returns a line to print. */
    public String run(int total, int batch, int workers) throws Exception {
        SagaDefinition<Trail> saga = definition();
        LeakProbe probe = new LeakProbe();
        List<String> threadsBefore = LeakProbe.sagaflowThreads(List.of());
        long warmHeap = -1;
        long completed = 0;
        long compensated = 0;
        try (CountingTimer timer = new CountingTimer()) {
            SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga).timer(timer)
                    .workerThreads(workers).build();
            for (int done = 0; done < total; done += batch) {
                List<CompletableFuture<SagaOutcome<Trail>>> outcomes = new ArrayList<>(batch);
                for (int i = done; i < Math.min(total, done + batch); i++) {
                    outcomes.add(orchestrator.start(saga, Trail.of(Integer.toString(i))).outcome());
                }
                CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                for (int i = 0; i < outcomes.size(); i++) {
                    SagaOutcome<Trail> outcome = outcomes.get(i).join();
                    boolean rejected = Long.parseLong(outcome.data().name()) % 7 == 0;
                    assertThat(outcome.status()).isEqualTo(rejected ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED);
                    if (rejected) {
                        compensated++;
                    } else {
                        completed++;
                    }
                    if (i % 1_000 == 0) {
                        probe.watch(outcome.data());
                    }
                }
                outcomes.clear();
                assertThat(timer.pending()).as("timer tasks after %d sagas (lease renewal and polling only)",
                        done + batch).isLessThanOrEqualTo(2);
                afterBatch.run();
                boolean last = done + batch >= total;
                if (last || (done / batch) % 10 == 0) {
                    // While the orchestrator is open: close() forgets everything anyway.
                    assertThat(probe.stillReachable()).as("sampled saga data still held after %d sagas ended (of %d"
                            + " sampled)", done + batch, probe.watchedCount()).isZero();
                }
                if (done / batch == Math.min(5, total / batch - 1)) {
                    warmHeap = LeakProbe.usedHeapMb();
                }
            }
            orchestrator.close();
            assertThat(timer.pending()).as("timer tasks after close").isZero();
        }
        assertThat(LeakProbe.sagaflowThreads(threadsBefore)).as("runtime threads after close").isEmpty();
        long endHeap = LeakProbe.usedHeapMb();
        assertThat(endHeap).as("heap in use at the end vs. after warm-up (%d MB)", warmHeap)
                .isLessThan(Math.max(warmHeap, 0) + 64);
        return total + " sagas (" + completed + " completed, " + compensated + " compensated); max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB, in use after warm-up " + warmHeap
                + " MB, at the end " + endHeap + " MB; " + probe.watchedCount()
                + " sampled data objects all collected; no timer task or runtime thread left";
    }
}
