package dev.sagaflow.jdbc.proofs;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sagaflow.BusinessRejection;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepAction;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three orchestrators, each with its own node id, connection pool and worker threads, share one
 * database under a load of short sagas; one of them dies (it writes nothing more and releases no
 * lease) while the load runs. The two others must claim its instances once their 2 s leases run
 * out, every saga must end as it should (COMPLETED, or COMPENSATED for the one in ten that step
 * {@code s3} rejects), none may be lost, and no step may ever run on two nodes at once
 * ({@link ExclusiveExecutions}).
 */
abstract class AbstractManyNodesTest {
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final int WORKERS = 8;
    private static final int PRODUCERS = 4;

    /** The saga data: {@code reject} makes step s3 say no. */
    public record Load(int n, boolean reject) {
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private ProofTables tables;

    abstract TestDatabase database();

    /** How many sagas to run. */
    int sagas() {
        return 2000;
    }

    @AfterEach
    void release() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (tables != null) {
            tables.close();
        }
    }

    @Test
    void three_nodes_share_the_load_and_the_survivors_finish_what_a_dead_node_left_without_ever_running_a_step_twice_at_once()
            throws Exception {
        int total = sagas();
        int crashAfter = total / 3;
        tables = ProofTables.create(database(), "nodes");
        JdbcSagaStore inspector = tables.store(database().pooled());
        ExclusiveExecutions guard = new ExclusiveExecutions(tables);
        String[] names = {"node-a", "node-b", "node-c"};
        List<SagaOrchestrator> nodes = new ArrayList<>();
        List<ExclusiveExecutions.Node> guards = new ArrayList<>();
        Map<String, Set<String>> resumedBy = new ConcurrentHashMap<>();
        // Each node has its own handlers (they go through its own pool and die with it), so a saga is
        // started with the definition registered on the node that starts it.
        Map<SagaOrchestrator, SagaDefinition<Load>> definitions = new ConcurrentHashMap<>();
        for (String name : names) {
            HikariDataSource pool = pool(name);
            ExclusiveExecutions.Node nodeGuard = guard.node(name, pool);
            // node-c is the weak one, with 2 workers: it falls behind, so it has plenty in flight when it dies.
            ExecutorService workers = Executors.newFixedThreadPool(name.equals("node-c") ? 2 : WORKERS,
                    named(name + "-worker"));
            resources.add(() -> {
                workers.shutdownNow();
                workers.awaitTermination(10, TimeUnit.SECONDS);
                pool.close();
            });
            SagaDefinition<Load> saga = definition(nodeGuard);
            Set<String> resumed = ConcurrentHashMap.newKeySet();
            resumedBy.put(name, resumed);
            SagaOrchestrator orchestrator = SagaOrchestrator.builder(tables.store(pool)).register(saga).nodeId(name)
                    .leaseDuration(LEASE).pollInterval(POLL).executor(workers)
                    .listener(event -> {
                        if (event.type() == SagaEventType.STEP_RESUMED) {
                            resumed.add(event.sagaId());
                        }
                    })
                    .build();
            resources.add(orchestrator);
            definitions.put(orchestrator, saga);
            nodes.add(orchestrator);
            guards.add(nodeGuard);
        }
        SagaOrchestrator dying = nodes.get(2);

        // The load: PRODUCERS threads start the sagas round-robin on the nodes that are alive. A start holds
        // the read lock, so that the crash (under the write lock) knows exactly which instances node-c owns.
        List<SagaOrchestrator> alive = new CopyOnWriteArrayList<>(nodes);
        ReadWriteLock crashing = new ReentrantReadWriteLock();
        Map<String, Boolean> started = new ConcurrentHashMap<>();
        Queue<Throwable> producerErrors = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS, named("producer"));
        resources.add(producers::shutdownNow);
        long begin = System.nanoTime();
        for (int p = 0; p < PRODUCERS; p++) {
            producers.execute(() -> {
                for (int n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    Load load = new Load(n, n % 10 == 9);
                    crashing.readLock().lock();
                    try {
                        SagaOrchestrator node = alive.get(n % alive.size());
                        started.put(node.start(definitions.get(node), load).sagaId(), load.reject());
                    } catch (RuntimeException e) {
                        producerErrors.add(e);
                    } finally {
                        crashing.readLock().unlock();
                    }
                }
            });
        }

        String instances = tables.table("instances");
        String liveOnC = "SELECT count(*) FROM " + instances
                + " WHERE owner = 'node-c' AND status IN ('RUNNING', 'COMPENSATING')";
        Await.until(crashAfter + " sagas have started, node-c driving at least 10", LIMIT,
                () -> started.size() >= crashAfter && tables.number(liveOnC) >= 10,
                () -> started.size() + " started, node-c driving " + tables.number(liveOnC));
        Map<String, Instant> orphaned = new HashMap<>();
        int startedAtCrash;
        crashing.writeLock().lock();
        try {
            alive.remove(dying);
            SagaTestKit.crash(dying);
            guards.get(2).halt();
            startedAtCrash = started.size();
        } finally {
            crashing.writeLock().unlock();
        }
        for (SagaInstance instance : inspector.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING)
                .limit(SagaQuery.MAX_LIMIT))) {
            if ("node-c".equals(instance.owner())) {
                orphaned.put(instance.id(), instance.leaseUntil());
            }
        }

        producers.shutdown();
        assertThat(producers.awaitTermination(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("producers finished").isTrue();
        assertThat(producerErrors).as("errors starting sagas").isEmpty();
        Await.until("every saga has ended", LIMIT,
                () -> tables.number("SELECT count(*) FROM " + instances
                        + " WHERE status IN ('RUNNING', 'COMPENSATING')") == 0,
                () -> tables.rows("SELECT status, owner, count(*) AS n FROM " + instances + " GROUP BY status, owner")
                        + " " + inspector.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING)
                                .limit(5)));
        double seconds = (System.nanoTime() - begin) / 1e9;

        // Nothing lost, every saga ended as it should.
        assertThat(started).hasSize(total);
        Map<String, String> statuses = new HashMap<>();
        for (Map<String, Object> row : tables.rows("SELECT id, status FROM " + instances)) {
            statuses.put((String) row.get("id"), (String) row.get("status"));
        }
        assertThat(statuses).as("instances in the store").hasSize(total);
        for (Map.Entry<String, Boolean> saga : started.entrySet()) {
            String id = saga.getKey();
            boolean rejected = saga.getValue();
            assertThat(statuses.get(id)).as("status of %s", id)
                    .isEqualTo((rejected ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED).name());
            for (String step : rejected ? List.of("s1", "s2", "s3", "s2/undo", "s1/undo") : List.of("s1", "s2", "s3")) {
                assertThat(guard.executions(id, step)).as("executions of %s of %s", step, id).isPositive();
            }
        }

        // Never twice at once; repeats only where the dead node left a step running.
        assertThat(guard.violations()).as("steps that ran on two nodes at once: %s", guard.violationDetails())
                .isZero();
        assertThat(tables.number("SELECT count(*) FROM " + tables.table("running"))).as("executions left running")
                .isZero();
        assertThat(orphaned).as("instances the dead node owned").isNotEmpty();
        Set<String> claimed = new HashSet<>(resumedBy.get("node-a"));
        claimed.addAll(resumedBy.get("node-b"));
        // The dead node's only, and most of them: a write the dead node had already sent when it died may still land
        // after the crash and finish its saga, which then needs no resume.
        assertThat(claimed).as("instances the survivors resumed: the dead node's only")
                .isSubsetOf(orphaned.keySet()).hasSizeGreaterThan(orphaned.size() / 2);
        for (Map.Entry<String, Instant> orphan : orphaned.entrySet()) {
            if (!claimed.contains(orphan.getKey())) {
                continue;
            }
            Instant resumedAt = inspector.history(orphan.getKey()).stream()
                    .filter(entry -> entry.type() == SagaEventType.STEP_RESUMED).findFirst().orElseThrow().at();
            assertThat(resumedAt).as("%s was claimed after its lease ran out", orphan.getKey())
                    .isAfter(orphan.getValue());
        }
        assertThat(guard.repeatedSagas()).as("sagas with a step run twice").isSubsetOf(orphaned.keySet());

        System.out.printf("%s: %d sagas on 3 nodes in %.1f s; node-c died after %d had started, owning %d live"
                        + " instances; node-a resumed %d, node-b %d; %d step executions repeated after the crash%n",
                database().displayName(), total, seconds, startedAtCrash, orphaned.size(),
                resumedBy.get("node-a").size(), resumedBy.get("node-b").size(), guard.repeated());
    }

    private static SagaDefinition<Load> definition(ExclusiveExecutions.Node guard) {
        StepAction<Load> step = (load, context) -> {
            guard.execute(context);
            return load;
        };
        return Saga.define("proof-load", Load.class)
                .step("s1").action(step).compensation(step)
                .step("s2").action(step).compensation(step)
                .step("s3").action((load, context) -> {
                    guard.execute(context);
                    if (load.reject()) {
                        throw new BusinessRejection("load " + load.n() + " rejected");
                    }
                    return load;
                })
                .build();
    }

    private HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(database().dataSource());
        config.setMaximumPoolSize(WORKERS + PRODUCERS);
        config.setPoolName("proof-" + name);
        return new HikariDataSource(config);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
