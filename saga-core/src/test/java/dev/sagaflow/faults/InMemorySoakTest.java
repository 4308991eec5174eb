package dev.sagaflow.faults;

import dev.sagaflow.store.memory.InMemorySagaStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One million short sagas through the in-memory store, in a heap of 256 MB ({@code -Psoak}). The
 * store keeps every instance by design, so it is emptied between batches; what must not grow is
 * what the runtime holds: timer tasks, threads, finished sagas.
 */
@Tag("soak")
class InMemorySoakTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void a_million_short_sagas_leave_no_thread_timer_task_or_instance_behind() throws Exception {
        InMemorySagaStore store = InMemorySagaStore.create();
        String report = new SoakRun(store, store::clear).run(1_000_000, 10_000, 4);
        System.out.println("[soak] in-memory: " + report);
    }
}
