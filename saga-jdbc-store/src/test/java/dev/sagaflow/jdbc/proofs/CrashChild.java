package dev.sagaflow.jdbc.proofs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.proofs.OrderSaga.Order;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The process that {@link AbstractCrashRecoveryTest} kills. It runs one order saga to the end, then
 * starts {@code count} more that each block in step {@code charge}: in its action, or, for orders
 * that are rejected, in its compensation. It says what it does on standard output, one line each:
 * {@code DONE <id>}, {@code STARTED <id> <reject>}, and, from inside the blocked handler, after the
 * participant has applied the command, {@code BLOCKED <id> <do|undo> <step>}. Then it waits to be
 * killed.
 *
 * <p>Arguments: database ({@link TestDatabase} name), table prefix, node id, {@code action} or
 * {@code compensation}, lease in milliseconds, count.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        TestDatabase database = TestDatabase.valueOf(args[0]);
        String prefix = args[1];
        String node = args[2];
        boolean inCompensation = switch (args[3]) {
            case "action" -> false;
            case "compensation" -> true;
            default -> throw new IllegalArgumentException("mode must be action or compensation, was " + args[3]);
        };
        Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
        int count = Integer.parseInt(args[5]);

        HikariConfig config = new HikariConfig();
        config.setDataSource(database.dataSource());
        config.setMaximumPoolSize(count + 4);
        config.setPoolName("crash-child");
        HikariDataSource pool = new HikariDataSource(config);
        JdbcSagaStore store = JdbcSagaStore.builder(pool).tablePrefix(prefix).build();

        Participant participant = new Participant(pool, prefix, node, "child");
        CountDownLatch never = new CountDownLatch(1);
        boolean[] armed = {false};
        SagaDefinition<Order> saga = OrderSaga.definition(participant, context -> {
            boolean blocks;
            synchronized (armed) {
                blocks = armed[0];
            }
            if (blocks && context.stepName().equals("charge") && context.isCompensation() == inCompensation) {
                say("BLOCKED " + context.sagaId() + " " + Participant.kind(context) + " " + context.stepName());
                never.await();
            }
        });
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(saga).nodeId(node)
                .leaseDuration(lease).pollInterval(Duration.ofMinutes(10)).workerThreads(count + 4).build();

        SagaOutcome<Order> done = orchestrator.run(saga, new Order("done", false));
        say("DONE " + done.sagaId() + " " + done.status());
        synchronized (armed) {
            armed[0] = true;
        }
        for (int i = 0; i < count; i++) {
            boolean reject = inCompensation || i % 2 == 1;
            SagaExecution<Order> execution = orchestrator.start(saga, new Order("order-" + i, reject));
            say("STARTED " + execution.sagaId() + " " + reject);
        }
        never.await();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
