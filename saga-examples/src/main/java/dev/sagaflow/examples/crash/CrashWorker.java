package dev.sagaflow.examples.crash;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.examples.support.Database;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The worker process of the crash demo: {@code CrashWorker <jdbc-url> <sagas>}. It starts that many
 * checkout sagas on the database at the URL, prints its timeline to standard output, and hangs in
 * every saga's {@value CheckoutSaga#CHARGE_PAYMENT} step after the payment is recorded, printing
 * {@value #IN_FLIGHT} and the payment's idempotency key, until it is killed. It exits by itself when its standard input
 * closes (its parent is gone), so it never outlives the demo.
 */
public final class CrashWorker {
    /** The line prefix that says a saga hangs in the step where the worker is killed. */
    public static final String IN_FLIGHT = "IN-FLIGHT ";
    /** The node id of the worker, and of the orchestrator that resumes its sagas. */
    public static final String NODE_ID = "checkout-worker";

    private CrashWorker() {
    }

    /** Runs the worker; see the class comment. */
    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        Timeline timeline = Timeline.to(out);
        Database database = Database.connect("checkout-worker", args[0]);
        int sagas = Integer.parseInt(args[1]);
        Fulfilment fulfilment = new Fulfilment(database, timeline, key -> hang(out, timeline, key));
        SagaDefinition<Checkout> checkout = CheckoutSaga.definition(fulfilment);
        JdbcSagaStore store = JdbcSagaStore.builder(database.dataSource()).build();
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(checkout).nodeId(NODE_ID)
                .workerThreads(sagas + 2).listener(timeline)
                .build();
        for (int i = 1; i <= sagas; i++) {
            SagaExecution<Checkout> started = orchestrator.start(checkout,
                    new Checkout("order-" + i, new BigDecimal(10 * i + ".00")));
            timeline.note("Worker", "started " + Timeline.shortId(started.sagaId()) + " for order-" + i);
        }
        while (System.in.read() != -1) {
            // Wait for the parent to kill us, or to go away.
        }
        Runtime.getRuntime().halt(0);
    }

    private static void hang(PrintStream out, Timeline timeline, String paymentKey) {
        timeline.note("Payment gateway", "waiting for the bank to confirm...");
        out.println(IN_FLIGHT + paymentKey);
        try {
            Thread.sleep(Duration.ofMinutes(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
