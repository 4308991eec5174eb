package dev.sagaflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.messaging.SwitchableStore;
import dev.sagaflow.store.FollowingClock;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leases, clocks and node identity (issue 10, findings 1, 6, 8, 9 and 17). */
class LeaseGuaranteesTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofSeconds(10);
    private final List<SagaOrchestrator> nodes = new ArrayList<>();
    private final Ledger ledger = new Ledger();

    @AfterEach
    void closeNodes() {
        nodes.forEach(SagaOrchestrator::close);
    }

    private SagaOrchestrator node(SagaOrchestrator.Builder builder) {
        // Actions that never answer are left behind at close, not waited for.
        SagaOrchestrator node = builder.shutdownTimeout(Duration.ofMillis(50)).build();
        nodes.add(node);
        return node;
    }

    /** s1 fails its first attempt and is retried a minute later; s2 succeeds. */
    private SagaDefinition<Trail> retriedAfterAMinute(String name, AtomicInteger s1Calls) {
        return Saga.define(name, Trail.class)
                .step("s1").action((trail, context) -> {
                    ledger.record(context);
                    if (s1Calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("participant down");
                    }
                    return trail.mark("do s1");
                }).compensation(TestSagas.compensation(ledger)).retry(RetryPolicy.fixed(Duration.ofSeconds(60), 2))
                .step("s2").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
    }

    /** Finding 1: a wake-up scheduled before the node's own claim bumped the version is not dropped. */
    @Test
    void a_node_that_claims_its_own_expired_instance_goes_on_driving_it() {
        ManualTimer timer = new ManualTimer();
        Switchable store = new Switchable(InMemorySagaStore.builder().clock(timer.clock()).build());
        AtomicInteger s1Calls = new AtomicInteger();
        SagaDefinition<Trail> saga = retriedAfterAMinute("own-claim", s1Calls);
        SagaOrchestrator node = node(SagaOrchestrator.builder(store).register(saga).timer(timer)
                .executor(Runnable::run).nodeId("n").leaseDuration(LEASE).pollInterval(POLL));

        // Given the node's renewals fail for longer than its lease, while s1 waits a minute for its retry,
        store.renewalsFail = true;
        SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));
        timer.advance(Duration.ofSeconds(45));
        // (its own poll has claimed the instance whose lease ran out, bumping its version)
        assertThat(store.find(execution.sagaId()).orElseThrow().version()).isGreaterThan(2);

        // when renewals work again and the retry comes due,
        store.renewalsFail = false;
        timer.advance(Duration.ofSeconds(30));

        // then the retry runs and the saga completes.
        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
        assertThat(s1Calls).hasValue(2);
        assertThat(ledger.calls()).containsExactly("do s1", "do s1", "do s2");
    }

    /** Finding 6: a renewal that blocks on the store holds up no timeout, retry or deadline. */
    @Test
    void a_lease_renewal_that_hangs_holds_up_no_timeout() throws Exception {
        Switchable store = new Switchable(InMemorySagaStore.create());
        CountDownLatch renewalHangs = new CountDownLatch(1);
        store.renewalsHangUntil = renewalHangs;
        SagaDefinition<Trail> saga = Saga.define("hanging-renewal", Trail.class)
                .step("s1").asyncAction((trail, context) -> new CompletableFuture<>())
                .timeout(Duration.ofMillis(400))
                .build();
        SagaOrchestrator node = node(SagaOrchestrator.builder(store).register(saga)
                .leaseDuration(Duration.ofMillis(300)).pollInterval(Duration.ofSeconds(30)));
        try {
            SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

            SagaOutcome<Trail> outcome = execution.await(Duration.ofSeconds(10));

            assertThat(store.renewals).as("the renewal was stuck all along").hasValue(1);
            assertThat(renewalHangs.getCount()).isEqualTo(1);
            assertThat(outcome.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(outcome.error()).contains("timed out");
        } finally {
            renewalHangs.countDown();
        }
    }

    /** Finding 8: leases are compared on the store's clock, so a node whose clock runs ahead claims nothing live. */
    @Test
    void a_node_whose_clock_runs_ahead_does_not_take_a_healthy_nodes_saga() {
        ManualTimer healthy = new ManualTimer();
        ManualTimer ahead = new ManualTimer(healthy.now().plus(Duration.ofMinutes(2)));
        InMemorySagaStore store = InMemorySagaStore.builder().clock(healthy.clock()).build();
        SagaDefinition<Trail> saga = Saga.define("skew", Trail.class)
                .step("s1").asyncAction((trail, context) -> {
                    ledger.record(context);
                    return new CompletableFuture<>();
                })
                .build();
        SagaOrchestrator a = node(SagaOrchestrator.builder(store).register(saga).timer(healthy)
                .executor(Runnable::run).nodeId("a").leaseDuration(LEASE).pollInterval(POLL));
        SagaOrchestrator b = node(SagaOrchestrator.builder(store).register(saga).timer(ahead)
                .executor(Runnable::run).nodeId("b").leaseDuration(LEASE).pollInterval(POLL));
        String id = a.start(saga, Trail.of("t")).sagaId();

        assertThat(b.recover()).isZero();
        ahead.advance(POLL.multipliedBy(3));

        assertThat(store.find(id).orElseThrow().owner()).isEqualTo("a");
        assertThat(ledger.calls()).containsExactly("do s1");
    }

    /**
     * Finding 8: a node that wakes from a stall past its lease reads its instance again before it runs the next
     * attempt, and runs nothing another node has taken.
     */
    @Test
    void a_node_waking_from_a_stall_past_its_lease_runs_nothing_another_node_took() {
        ManualTimer clockOfA = new ManualTimer();
        FollowingClock storeClock = new FollowingClock(clockOfA.now());
        storeClock.follow(clockOfA::now);
        InMemorySagaStore store = InMemorySagaStore.builder().clock(storeClock).build();
        AtomicInteger s1Calls = new AtomicInteger();
        SagaDefinition<Trail> saga = retriedAfterAMinute("stall", s1Calls);
        SagaOrchestrator a = node(SagaOrchestrator.builder(store).register(saga).timer(clockOfA)
                .executor(Runnable::run).nodeId("a").leaseDuration(LEASE).pollInterval(Duration.ofHours(1)));
        String id = a.start(saga, Trail.of("t")).sagaId();

        // Given A stalls (its clock stands still) while the store's time moves past its lease,
        ManualTimer clockOfB = new ManualTimer(clockOfA.now().plus(LEASE).plusSeconds(5));
        storeClock.follow(clockOfB::now);
        // and B takes the saga over and finishes it,
        SagaOrchestrator b = node(SagaOrchestrator.builder(store).register(saga).timer(clockOfB)
                .executor(Runnable::run).nodeId("b").leaseDuration(LEASE).pollInterval(POLL));
        clockOfB.advance(Duration.ofSeconds(61));
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        int callsBeforeAWakes = ledger.calls().size();

        // when A wakes up, its clock having moved on meanwhile, and its retry comes due,
        clockOfA.stall(Duration.between(clockOfA.now(), clockOfB.now()));
        storeClock.follow(clockOfA::now);
        clockOfA.advance(Duration.ofSeconds(30));

        // then A runs nothing: it sees the instance is no longer its own.
        assertThat(ledger.calls()).hasSize(callsBeforeAWakes);
        assertThat(b).isNotNull();
    }

    /** Finding 9: two processes configured with the same node id do not both drive sagas. */
    @Test
    void a_second_process_with_the_same_node_id_fences_the_first() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = Saga.define("twins", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)).awaitReply()
                .build();
        SagaOrchestrator first = node(kit.orchestrator().nodeId("same").register(saga));
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));

        // When a second process starts with the same node id,
        SagaOrchestrator second = node(kit.orchestrator().nodeId("same").register(saga));
        kit.timer().advance(LEASE);

        // then the first is fenced: it refuses new sagas and drives none; the second carries on alone.
        assertThatThrownBy(() -> first.start(saga, Trail.of("u"))).isInstanceOf(OrchestratorClosedException.class)
                .hasMessageContaining("another process registered the same node id");
        assertThat(execution.outcome()).isCompletedExceptionally();
        second.reply(SagaReply.success(execution.sagaId(), "ask", null));
        assertThat(kit.store().find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(ledger.calls()).as("the action ran once, on the first process").containsExactly("do ask");
    }

    /**
     * A process that starts while the store is down cannot register; an earlier process's registration is still
     * there when the store is back. Its renewals must register it first, not take that registration for a live
     * twin and fence it.
     */
    @Test
    void a_process_started_while_the_store_was_down_registers_when_it_is_back_and_drives_its_sagas() {
        FollowingClock storeClock = new FollowingClock(Instant.EPOCH);
        SwitchableStore store = new SwitchableStore(InMemorySagaStore.builder().clock(storeClock).build());
        SagaTestKit kit = SagaTestKit.over(store);
        storeClock.follow(kit.timer()::now);
        SagaDefinition<Trail> saga = Saga.define("restarted-in-outage", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)).awaitReply()
                .build();
        SagaOrchestrator first = node(kit.orchestrator().nodeId("same").register(saga).pollInterval(POLL));
        SagaExecution<Trail> execution = first.start(saga, Trail.of("t"));
        SagaTestKit.crash(first);

        // When the process restarts with the same node id while the store is down, and the store comes back,
        store.down = true;
        SagaOrchestrator second = node(kit.orchestrator().nodeId("same").register(saga).pollInterval(POLL));
        store.down = false;
        kit.timer().advance(LEASE.multipliedBy(2));

        // then it is not fenced: it takes its saga back, finishes it, and starts new ones.
        second.reply(SagaReply.success(execution.sagaId(), "ask", null));
        kit.timer().advance(POLL);
        assertThat(store.find(execution.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(second.start(saga, Trail.of("u")).sagaId()).isNotNull();
    }

    /**
     * Recovery reconciles what the store says this node owns with what it drives, on its own thread, while runs go
     * on: a read older than the run's own last write must not be taken for another node's change (the run stopped
     * driving its saga, which then waited for ever; seen on PostgreSQL under load).
     */
    @Test
    void a_reconciliation_that_reads_an_older_version_than_the_run_wrote_does_not_stop_the_run() {
        InMemorySagaStore memory = InMemorySagaStore.create();
        Map<String, SagaInstance> firstSeen = new ConcurrentHashMap<>();
        SagaStore staleQueries = new ForwardingSagaStore(memory) {
            @Override
            public boolean insert(InstanceWrite write) {
                firstSeen.put(write.instance().id(), write.instance());
                return super.insert(write);
            }

            @Override
            public List<SagaInstance> query(SagaQuery query) {
                return super.query(query).stream().map(i -> firstSeen.getOrDefault(i.id(), i)).toList();
            }
        };
        SagaTestKit kit = SagaTestKit.over(staleQueries);
        SagaDefinition<Trail> saga = retriedAfterAMinute("stale-reconcile", new AtomicInteger());
        SagaOrchestrator node = node(kit.orchestrator().register(saga).pollInterval(POLL));
        SagaExecution<Trail> execution = node.start(saga, Trail.of("t"));

        // s1 waits a minute for its retry; meanwhile recovery polls and reads the instance as it was first written.
        kit.timer().advance(Duration.ofSeconds(61));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
        assertThat(memory.history(execution.sagaId())).extracting(HistoryEntry::type)
                .as("driven throughout by its run, never taken back as an orphan")
                .doesNotContain(SagaEventType.STEP_RESUMED);
    }

    /** Finding 17: an outcome decided on another node completes the starting node's execution too. */
    @Test
    void the_starting_nodes_outcome_completes_when_another_node_finished_the_saga() {
        SagaTestKit kit = SagaTestKit.create();
        SagaDefinition<Trail> saga = Saga.define("elsewhere", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger)).awaitReply()
                .build();
        SagaOrchestrator a = node(kit.orchestrator().register(saga).pollInterval(POLL));
        SagaOrchestrator b = node(kit.orchestrator().register(saga).pollInterval(POLL));
        SagaExecution<Trail> execution = a.start(saga, Trail.of("t"));

        b.reply(SagaReply.success(execution.sagaId(), "ask", null));
        assertThat(execution.outcome()).isNotDone();
        kit.timer().advance(POLL.multipliedBy(2));

        assertThat(execution.outcome()).isCompletedWithValueMatching(o -> o.status() == SagaStatus.COMPLETED);
    }

    /** The store's clock is what counts: leases written by a node are on it, whatever the node's clock says. */
    @Test
    void a_lease_is_written_on_the_stores_clock_not_the_nodes() {
        ManualTimer node = new ManualTimer(Instant.parse("2040-01-01T00:00:00Z"));
        Instant storeTime = Instant.parse("2030-06-01T12:00:00Z");
        InMemorySagaStore store = InMemorySagaStore.builder().clock(new FollowingClock(storeTime)).build();
        SagaDefinition<Trail> saga = Saga.define("clock", Trail.class)
                .step("s1").asyncAction((trail, context) -> new CompletableFuture<>()).build();
        SagaOrchestrator orchestrator = node(SagaOrchestrator.builder(store).register(saga).timer(node)
                .executor(Runnable::run).leaseDuration(LEASE));

        SagaInstance stored = store.find(orchestrator.start(saga, Trail.of("t")).sagaId()).orElseThrow();

        assertThat(stored.leaseUntil()).isEqualTo(storeTime.plus(LEASE));
    }
}
