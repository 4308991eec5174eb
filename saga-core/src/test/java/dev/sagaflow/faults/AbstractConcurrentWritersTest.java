package dev.sagaflow.faults;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.faults.Participants.Call;
import dev.sagaflow.faults.Participants.CallKind;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.FollowingClock;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes racing on the same instances. Node A is stalled (a long pause) while the lease it holds
 * runs out; node B claims the instance and goes on; then A's delayed write arrives. It must be
 * rejected by the compare-and-set, A must stop driving the instance, and no step may be applied
 * twice, or by both nodes at once. Each node has its own clock and worker thread (named after the
 * node, so participants see who calls). A store's test extends this class. Published in
 * saga-core's test-jar.
 */
public abstract class AbstractConcurrentWritersTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<SagaOrchestrator> nodes = new ArrayList<>();

    /** An empty store for one test. */
    protected abstract SagaStore emptyStore(Clock storeClock);

    @AfterEach
    void stopNodes() {
        nodes.forEach(SagaOrchestrator::close);
        executors.forEach(ExecutorService::shutdownNow);
    }

    private SagaOrchestrator node(String id, SagaStore store, ManualTimer timer, boolean recover,
            SagaDefinition<?>... definitions) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, id + "-worker"));
        executors.add(worker);
        SagaOrchestrator node = SagaOrchestrator.builder(store).register(definitions).nodeId(id).timer(timer)
                .executor(worker).leaseDuration(LEASE).recoverOnStart(recover).build();
        nodes.add(node);
        return node;
    }

    private static SagaShape threeSteps() {
        return SagaShape.of("race", StepSpec.compensatable("s1"), StepSpec.compensatable("s2"),
                StepSpec.compensatable("s3"));
    }

    private static List<Call> callsOf(Participants participants, String sagaId, String step) {
        return participants.calls(sagaId).stream().filter(c -> c.step().equals(step) && c.kind() == CallKind.ACTION)
                .toList();
    }

    private static SagaInstance awaitEnd(SagaStore store, String id) throws InterruptedException {
        for (int i = 0; i < 6_000; i++) {
            SagaInstance instance = store.find(id).orElseThrow();
            if (!instance.status().isLive()) {
                return instance;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("instance " + id + " did not end: " + store.find(id));
    }

    @Test
    void a_write_delayed_past_the_lease_is_rejected_after_another_node_took_over_and_its_node_stops() throws Exception {
        SettableClock storeClock = new SettableClock(START);
        SagaStore store = emptyStore(storeClock);
        SagaShape shape = threeSteps();
        Participants participants = new Participants(shape);
        SagaDefinition<Trail> saga = shape.define("race-delayed-write", participants);
        CountDownLatch bInS3 = new CountDownLatch(1);
        CountDownLatch letBFinish = new CountDownLatch(1);
        participants.gate(context -> {
            if (Thread.currentThread().getName().startsWith("node-b") && context.stepName().equals("s3")) {
                bInS3.countDown();
                letBFinish.await(60, TimeUnit.SECONDS);
            }
        });
        GatedStore viewOfA = new GatedStore(store);
        viewOfA.holdNextUpdate(next -> next.step("s2").status() == StepStatus.SUCCEEDED);

        // Given node A ran s2 and its write of s2's success is held (A is paused) ...
        SagaOrchestrator a = node("node-a", viewOfA, new ManualTimer(START), false, saga);
        String id = a.start(saga, Trail.of("t")).sagaId();
        viewOfA.awaitHeld();
        // ... until its lease has run out and node B has claimed the instance and is running s3,
        storeClock.set(START.plus(LEASE).plusSeconds(1));
        node("node-b", store, new ManualTimer(START.plus(LEASE).plusSeconds(1)), true, saga);
        assertThat(bInS3.await(60, TimeUnit.SECONDS)).as("B reached s3").isTrue();

        // when A's delayed write finally arrives,
        viewOfA.releaseAndAwait();
        letBFinish.countDown();
        SagaInstance end = awaitEnd(store, id);

        // then it is rejected, A never runs s3, and every step took effect once.
        assertThat(viewOfA.updates()).last().satisfies(update -> {
            assertThat(update.written()).as("A's delayed write").isFalse();
            assertThat(update.next().step("s2").status()).isEqualTo(StepStatus.SUCCEEDED);
        });
        assertThat(callsOf(participants, id, "s2")).extracting(Call::thread, Call::result)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node-a-worker", "APPLIED"),
                        org.assertj.core.groups.Tuple.tuple("node-b-worker", "DEDUPED"));
        assertThat(callsOf(participants, id, "s3")).extracting(Call::thread).containsOnly("node-b-worker");
        assertThat(Invariants.check(shape, participants, id, end, Set.of(SagaStatus.COMPLETED), false)).isEmpty();
    }

    @Test
    void a_node_paused_inside_an_action_past_its_lease_has_its_late_result_rejected_and_the_effect_applies_once()
            throws Exception {
        SettableClock storeClock = new SettableClock(START);
        SagaStore store = emptyStore(storeClock);
        SagaShape shape = threeSteps();
        Participants participants = new Participants(shape);
        SagaDefinition<Trail> saga = shape.define("race-paused-action", participants);
        CountDownLatch aInS2 = new CountDownLatch(1);
        CountDownLatch wakeA = new CountDownLatch(1);
        participants.gate(context -> {
            if (Thread.currentThread().getName().startsWith("node-a") && context.stepName().equals("s2")) {
                aInS2.countDown();
                wakeA.await(60, TimeUnit.SECONDS);
            }
        });
        GatedStore viewOfA = new GatedStore(store);

        // Given node A is paused inside s2's action (its participant has not answered) ...
        SagaOrchestrator a = node("node-a", viewOfA, new ManualTimer(START), false, saga);
        String id = a.start(saga, Trail.of("t")).sagaId();
        assertThat(aInS2.await(60, TimeUnit.SECONDS)).isTrue();
        // ... past its lease, so node B takes over, runs s2 again with the same key and finishes the saga,
        storeClock.set(START.plus(LEASE).plusSeconds(1));
        node("node-b", store, new ManualTimer(START.plus(LEASE).plusSeconds(1)), true, saga);
        SagaInstance end = awaitEnd(store, id);

        // when A wakes up and reports s2's result,
        int updatesBefore = viewOfA.updates().size();
        wakeA.countDown();
        for (int i = 0; i < 6_000 && viewOfA.updates().size() == updatesBefore; i++) {
            Thread.sleep(10);
        }

        // then its write is rejected, A runs nothing more, and s2 took effect once (the participant deduped by key).
        assertThat(viewOfA.updates()).hasSize(updatesBefore + 1).last()
                .satisfies(update -> assertThat(update.written()).isFalse());
        assertThat(callsOf(participants, id, "s2")).extracting(Call::thread)
                .containsExactlyInAnyOrder("node-a-worker", "node-b-worker");
        assertThat(participants.ledgerOf(id, "s2").appliedBy).containsExactly(id + ":s2");
        assertThat(callsOf(participants, id, "s3")).extracting(Call::thread).containsOnly("node-b-worker");
        assertThat(store.find(id).orElseThrow()).isEqualTo(end);
        // The two calls of s2 overlapped, and A's arrived after B had moved on: with leases, a paused
        // node's call may still be under way when another node retries it. That is what the stable
        // idempotency key is for: it did nothing.
        assertThat(raceInvariants(shape, participants, id, end)).isEmpty();
        assertThat(participants.ledgerOf(id, "s2").concurrentCalls).isEqualTo(1);
    }

    /**
     * Regression: lease renewal was handed to the worker executor, where it waited behind step work;
     * a healthy node whose workers were all busy (one slow step on a one-thread pool) lost its leases
     * and another node took its sagas over and ran the slow step a second time.
     */
    @Test
    void a_node_whose_workers_are_all_busy_still_renews_its_leases_and_keeps_its_sagas() throws Exception {
        FollowingClock storeClock = new FollowingClock(START);
        SagaStore store = emptyStore(storeClock);
        SagaShape shape = threeSteps();
        Participants participants = new Participants(shape);
        SagaDefinition<Trail> saga = shape.define("race-busy-node", participants);
        CountDownLatch aInS1 = new CountDownLatch(1);
        CountDownLatch finishS1 = new CountDownLatch(1);
        participants.gate(context -> {
            if (Thread.currentThread().getName().startsWith("node-a") && context.stepName().equals("s1")) {
                aInS1.countDown();
                finishS1.await(60, TimeUnit.SECONDS);
            }
        });
        ManualTimer clockOfA = new ManualTimer(START);
        storeClock.follow(clockOfA::now);

        // Given node A's only worker is busy in a slow s1 while more than a lease goes by,
        SagaOrchestrator a = node("node-a", store, clockOfA, false, saga);
        String id = a.start(saga, Trail.of("t")).sagaId();
        assertThat(aInS1.await(60, TimeUnit.SECONDS)).isTrue();
        clockOfA.advance(LEASE.plusSeconds(10));

        // when node B looks for instances whose lease ran out,
        node("node-b", store, new ManualTimer(START.plus(LEASE).plusSeconds(11)), true, saga);

        // then A's lease was renewed all along: B takes nothing, and s1 runs once, on A.
        assertThat(store.find(id).orElseThrow().owner()).isEqualTo("node-a");
        finishS1.countDown();
        SagaInstance end = awaitEnd(store, id);
        assertThat(participants.calls(id)).extracting(Call::thread).containsOnly("node-a-worker");
        assertThat(Invariants.check(shape, participants, id, end, Set.of(SagaStatus.COMPLETED), false)).isEmpty();
    }

    /**
     * Many sagas, two nodes on real threads and clocks with short leases, each node paused in turn
     * (every store call of the node stalls, lease renewal included) for longer than the lease. Every
     * instance ends as its shape says; no effect is applied or undone twice; every applied effect of a
     * compensated saga is undone; and losers' writes are rejected.
     */
    @Test
    void many_sagas_on_two_nodes_that_pause_in_turn_past_their_leases_all_end_correctly() throws Exception {
        SagaStore store = emptyStore(Clock.systemUTC());
        SagaShape happy = SagaShape.of("bulk-happy", StepSpec.compensatable("s1"), StepSpec.compensatable("s2"),
                StepSpec.compensatable("s3"));
        SagaShape rejected = SagaShape.of("bulk-rejected", StepSpec.compensatable("s1"),
                StepSpec.compensatable("s2"), StepSpec.compensatable("s3").actions(Behaviour.REJECT));
        Participants happyParticipants = new Participants(happy);
        Participants rejectedParticipants = new Participants(rejected);
        Random random = new Random(7);
        Participants.Gate jitter = context -> Thread.sleep(random.nextInt(3));
        happyParticipants.gate(jitter);
        rejectedParticipants.gate(jitter);
        SagaDefinition<Trail> happySaga = happy.define("bulk-happy", happyParticipants);
        SagaDefinition<Trail> rejectedSaga = rejected.define("bulk-rejected", rejectedParticipants);
        GatedStore viewOfA = new GatedStore(store);
        GatedStore viewOfB = new GatedStore(store);
        Duration lease = Duration.ofMillis(150);
        List<SagaOrchestrator> both = new ArrayList<>();
        for (GatedStore view : List.of(viewOfA, viewOfB)) {
            SagaOrchestrator node = SagaOrchestrator.builder(view).register(happySaga, rejectedSaga)
                    .nodeId(view == viewOfA ? "bulk-a" : "bulk-b").workerThreads(4).leaseDuration(lease)
                    .pollInterval(Duration.ofMillis(50)).shutdownTimeout(Duration.ofSeconds(5)).build();
            nodes.add(node);
            both.add(node);
        }
        List<String> happyIds = new ArrayList<>();
        List<String> rejectedIds = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            SagaOrchestrator node = both.get(i % 2);
            if (i % 4 < 2) {
                happyIds.add(node.start(happySaga, Trail.of("h" + i)).sagaId());
            } else {
                rejectedIds.add(node.start(rejectedSaga, Trail.of("r" + i)).sagaId());
            }
            if (i % 50 == 25) {
                GatedStore view = i % 100 == 25 ? viewOfA : viewOfB;
                view.pause();
                Thread.sleep(lease.toMillis() * 3);
                view.resume();
            }
        }
        for (int round = 0; round < 6 && store.query(SagaQuery.withStatus(SagaStatus.RUNNING,
                SagaStatus.COMPENSATING)).size() > 0; round++) {
            GatedStore view = round % 2 == 0 ? viewOfA : viewOfB;
            view.pause();
            Thread.sleep(lease.toMillis() * 3);
            view.resume();
        }

        List<String> violations = new ArrayList<>();
        for (String id : happyIds) {
            violations.addAll(raceInvariants(happy, happyParticipants, id, awaitEnd(store, id)));
        }
        for (String id : rejectedIds) {
            violations.addAll(raceInvariants(rejected, rejectedParticipants, id, awaitEnd(store, id)));
        }
        System.out.println("[concurrent-writers] " + getClass().getSimpleName() + ": writes rejected by the"
                + " compare-and-set: node A " + viewOfA.rejectedUpdates() + ", node B " + viewOfB.rejectedUpdates());
        assertThat(violations).isEmpty();
        // Without a lost race the test proves nothing about the compare-and-set: the pauses must have caused some.
        assertThat(viewOfA.rejectedUpdates() + viewOfB.rejectedUpdates()).as("writes rejected by the compare-and-set")
                .isPositive();
    }

    /**
     * The invariants that hold whatever the timing. With leases, a paused node's call may still be
     * under way when another node repeats it, and may reach the participant after the new owner has
     * moved on; such a stale call is allowed (overlapping, or out of order) as long as it did nothing
     * (the participant deduplicated it by its key). Applying or undoing an effect twice, or out of
     * order, is still a violation.
     */
    private static List<String> raceInvariants(SagaShape shape, Participants participants, String id,
            SagaInstance end) {
        Set<SagaStatus> expected = shape.expectedStatuses(0);
        return Invariants.check(shape, participants, id, end, expected, end.status() == SagaStatus.FAILED).stream()
                .filter(v -> !v.contains("while another call of it was still running"))
                .filter(v -> !v.contains("-> DEDUPED (") && !v.contains("-> UNDO_DEDUPED ("))
                .map(v -> id + ": " + v)
                .toList();
    }

}
