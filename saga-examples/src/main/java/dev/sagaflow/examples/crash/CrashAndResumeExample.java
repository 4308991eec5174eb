package dev.sagaflow.examples.crash;

import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.StepStatus;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.StepState;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;

/**
 * Crash and resume, with a real process kill:
 *
 * <ol>
 *   <li>this JVM creates an in-memory H2 database and serves it over TCP on a free loopback port;</li>
 *   <li>a {@link CrashWorker} in a child JVM starts checkout sagas on it and hangs in each one's
 *       {@value CheckoutSaga#CHARGE_PAYMENT} step, after the payment is recorded;</li>
 *   <li>the child is killed with {@code Process.destroyForcibly()}: no shutdown, no lease released;</li>
 *   <li>an orchestrator with the worker's node id is started here over the same database: it claims
 *       the worker's sagas at once, re-runs the interrupted step with the same idempotency key (the
 *       payment is found recorded and not charged again), and finishes every saga.</li>
 * </ol>
 */
public final class CrashAndResumeExample {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Set<SagaEventType> FINISHED =
            EnumSet.of(SagaEventType.SAGA_COMPLETED, SagaEventType.SAGA_COMPENSATED, SagaEventType.SAGA_FAILED);

    private CrashAndResumeExample() {
    }

    /**
     * Runs the demo with {@code sagas} sagas and returns what the store holds at the end.
     *
     * @throws IllegalStateException if the worker fails, or the sagas do not finish within a minute
     */
    public static Result run(Timeline timeline, int sagas) throws Exception {
        try (Database database = Database.inMemory("checkout-service")) {
            Server server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon").start();
            try {
                return run(timeline, sagas, database, server.getPort());
            } finally {
                server.stop();
            }
        }
    }

    private static Result run(Timeline timeline, int sagas, Database database, int port) throws Exception {
        Fulfilment fulfilment = new Fulfilment(database, timeline, key -> { });
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).createSchemaIfMissing(true).build();
        String url = "jdbc:h2:tcp://localhost:" + port + "/" + database.memoryPath();

        WorkerProcess worker = WorkerProcess.start(url, sagas, timeline);
        timeline.note("Demo", "worker JVM pid " + worker.pid() + " runs " + sagas + " sagas on " + url);
        worker.awaitInFlight(PATIENCE);
        timeline.note("Demo", "every saga hangs in '" + CheckoutSaga.CHARGE_PAYMENT
                + "': killing the worker JVM with Process.destroyForcibly()");
        int exit = worker.kill();
        timeline.note("Demo", "worker pid " + worker.pid() + " is dead (exit code " + exit + "); the store holds:");
        List<String> ids = describeStore(timeline, store);

        timeline.note("Demo", "restarting an orchestrator with node id '" + CrashWorker.NODE_ID
                + "' over the same database");
        CountDownLatch finished = new CountDownLatch(ids.size());
        try (SagaOrchestrator orchestrator = SagaOrchestrator.builder(store)
                .register(CheckoutSaga.definition(fulfilment)).nodeId(CrashWorker.NODE_ID).listener(timeline)
                .listener(event -> countFinished(event, finished)).build()) {
            if (!finished.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(finished.getCount() + " of " + ids.size()
                        + " sagas did not finish after the restart");
            }
            return result(orchestrator, fulfilment, ids);
        }
    }

    private static List<String> describeStore(Timeline timeline, JdbcSagaStore store) {
        List<SagaInstance> instances = store.query(SagaQuery.all().sagaName(CheckoutSaga.NAME));
        for (SagaInstance instance : instances) {
            StepState current = instance.steps().stream()
                    .filter(step -> step.status() == StepStatus.RUNNING).findFirst().orElse(null);
            timeline.note("  store", Timeline.shortId(instance.id()) + " " + instance.status()
                    + (current == null ? "" : ", step '" + current.name() + "' RUNNING (attempt " + current.attempts() + ")")
                    + ", owner " + instance.owner() + ", lease until " + instance.leaseUntil());
        }
        return instances.stream().map(SagaInstance::id).toList();
    }

    private static void countFinished(SagaEvent event, CountDownLatch finished) {
        if (FINISHED.contains(event.type())) {
            finished.countDown();
        }
    }

    private static Result result(SagaOrchestrator orchestrator, Fulfilment fulfilment, List<String> ids) {
        Map<String, SagaInfo> sagas = new LinkedHashMap<>();
        Map<String, List<String>> effects = new LinkedHashMap<>();
        for (String id : ids) {
            SagaInfo info = orchestrator.find(id).orElseThrow();
            sagas.put(id, info);
            String orderId = ((Checkout) info.data()).orderId();
            effects.put(orderId, fulfilment.effectsOf(orderId));
        }
        return new Result(sagas, effects);
    }

    /**
     * What the store holds after the restart. Immutable.
     *
     * @param sagas every saga the worker started, by id, with its steps and history
     * @param effects the effects recorded by the participants, by order id
     */
    public record Result(Map<String, SagaInfo> sagas, Map<String, List<String>> effects) {
        public Result {
            sagas = Collections.unmodifiableMap(new LinkedHashMap<>(sagas));
            effects = Collections.unmodifiableMap(new LinkedHashMap<>(effects));
        }
    }
}
