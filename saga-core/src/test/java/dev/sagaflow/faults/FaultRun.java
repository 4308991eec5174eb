package dev.sagaflow.faults;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.StepStatus;
import dev.sagaflow.faults.FaultyStore.Fault;
import dev.sagaflow.faults.FaultyStore.Kind;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.spi.SagaTimer;
import dev.sagaflow.store.FollowingClock;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.StepState;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One run of one saga through a chain of nodes under injected faults, checked against the {@link Invariants}.
 * Node 1 starts the saga; at a chosen store call of its own ({@link FaultyStore}) a fault happens:
 * <ul>
 * <li>it dies just before or just after the call; node 2 recovers the saga from the store (restarting under the
 *     same id, or as another node once the lease ran out), and may die at a call of its own, and so on;</li>
 * <li>the call's acknowledgement is lost, it fails transiently or for good, or it hangs until its timeout: node 1
 *     lives on and must end the saga itself;</li>
 * <li>node 1 stalls inside the call past its lease ({@link Fault#PAUSE}) while another node takes the saga over
 *     and ends it; then node 1 wakes up and must not act on it any more;</li>
 * <li>a second process with node 1's id starts while node 1 stalls ({@link Environment#TWIN}): the twin ends the
 *     saga, and node 1 must stop.</li>
 * </ul>
 * Faults of the environment come on top: an executor that rejects a task, a timer whose tasks fire late, a peer
 * node whose clock runs more than a lease ahead and polls all the time. Every node runs on its own
 * {@link ManualTimer} and a synchronous executor, so a run is exactly repeatable; the store's clock is always the
 * live node's clock. The run delivers the replies of awaiting steps the way the shape says, and moves each node's
 * clock to its next due task until the saga ends.
 */
public final class FaultRun {
    public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    /** Node 1's lease is long and it never polls, so its store calls are the saga's own. */
    private static final Duration FIRST_LEASE = Duration.ofHours(1);
    private static final Duration FIRST_POLL = Duration.ofDays(1);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofSeconds(10);
    private static final Duration TIMER_DELAY = Duration.ofSeconds(3);
    private static final int MAX_TIMER_STEPS = 2_000;

    /**
     * What happens to one node: the fault at one of its counted store calls, and for a fault that kills it, how
     * the next node starts.
     *
     * @param call the node's counted store call (1-based) at which the fault happens
     * @param fault what happens there
     * @param counted which store calls are counted
     * @param sameNode for a fatal fault: whether the next node restarts under the same id (and claims its
     *     instances at once) or is another node (which claims them once the lease ran out)
     */
    public record NodeFault(int call, Fault fault, Set<Kind> counted, boolean sameNode) {
        /** The node dies before or after its {@code write}-th write (the crash-at-every-write suite's crash). */
        public static NodeFault crash(int write, boolean before, boolean sameNode) {
            return new NodeFault(write, before ? Fault.CRASH_BEFORE : Fault.CRASH_AFTER, Kind.WRITES, sameNode);
        }

        /** The node lives through {@code fault} at its {@code call}-th store call of any kind. */
        public static NodeFault at(int call, Fault fault) {
            return new NodeFault(call, fault, Kind.ALL, false);
        }

        @Override
        public String toString() {
            String where = fault.name().toLowerCase().replace('_', ' ') + " at "
                    + (counted.equals(Kind.WRITES) ? "write " : "call ") + call;
            return fault.kills() ? where + ", then " + (sameNode ? "restarts as the same node"
                    : "another node takes over after the lease") : where;
        }
    }

    /** A fault of the node's surroundings, on top of the store faults. */
    public enum Environment {
        /** Nothing else. */
        NONE,
        /** Node 1's executor rejects every third task it is given (a bounded pool in a burst). */
        EXECUTOR_REJECTS,
        /** Node 1's timer runs every task three seconds late. */
        TIMER_LATE,
        /** A second node whose clock is two leases ahead of the store's polls for orphans after every move. */
        SKEWED_PEER,
        /** At node 1's first fault, a second process with the same node id starts (use with {@link Fault#PAUSE}). */
        TWIN
    }

    /**
     * What a run left behind.
     *
     * @param firstNodeCalls the labels of node 1's counted calls (all of them when node 1 is not faulted)
     * @param faultsReached how many of the planned faults happened
     * @param interruptions how many times a node lost the saga to another (the oracle's "crashes")
     * @param violations broken invariants; empty when all hold
     * @param report what happened, for assertion messages
     */
    public record Result(String sagaId, SagaInstance instance, List<String> firstNodeCalls, int faultsReached,
            int interruptions, List<String> violations, String report) {
    }

    private record Node(String id, ManualTimer timer, SagaOrchestrator orchestrator, FaultyStore view,
            Duration lease) {
    }

    private final SagaShape shape;
    private final SagaStore store;
    private final FollowingClock storeClock;
    private final Participants participants;
    private final SagaDefinition<Trail> definition;
    private final Environment environment;
    private final List<String> log = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private Node peer;
    private String sagaId;
    private int nodeCount;

    /**
     * @param storeFactory makes an empty store measuring leases on the clock it is given; the run writes through
     *     it and reads it directly (never through a faulty view)
     * @param sagaName the definition's name
     */
    public FaultRun(SagaShape shape, Function<Clock, SagaStore> storeFactory, String sagaName, Environment environment) {
        this.shape = shape;
        this.storeClock = new FollowingClock(START);
        this.store = storeFactory.apply(storeClock);
        this.participants = new Participants(shape);
        this.definition = shape.define(sagaName, participants);
        this.environment = environment;
    }

    public FaultRun(SagaShape shape, Function<Clock, SagaStore> storeFactory, String sagaName) {
        this(shape, storeFactory, sagaName, Environment.NONE);
    }

    /** Runs the saga, node {@code n} meeting {@code faults.get(n)}. */
    public Result run(List<NodeFault> faults) {
        log.add("shape: " + shape);
        log.add("faults: " + (faults.isEmpty() ? "none" : faults) + (environment == Environment.NONE ? ""
                : "; environment: " + environment));
        List<String> firstCalls = List.of();
        int reached = 0;
        int interruptions = 0;
        Node previous = null;
        int n = 0;
        while (true) {
            NodeFault fault = n < faults.size() ? faults.get(n) : null;
            Node node = previous == null ? startFirst(fault) : startAfter(previous, faults.get(n - 1), fault);
            if (n == 0) {
                startSaga(node);
            } else if (!node.view().isDead()) {
                checkRecovered(node);
            }
            drive(node);
            if (n == 0) {
                firstCalls = node.view().calls();
            }
            if (fault != null && node.view().injected()) {
                reached++;
                log.add(node.id() + ": " + node.view().note());
                if (fault.fault() == Fault.PAUSE) {
                    interruptions++;
                }
            } else if (fault != null) {
                log.add(node.id() + ": fault point not reached (it made " + node.view().calls().size()
                        + " counted calls)");
            }
            if (fault != null && fault.fault().kills()) {
                interruptions += node.view().isDead() ? 1 : 0;
                SagaTestKit.crash(node.orchestrator());
                previous = node;
                n++;
                continue;
            }
            finish(node, interruptions, fault);
            break;
        }
        if (peer != null) {
            peer.orchestrator().close();
        }
        SagaInstance instance = sagaId == null ? null : store.find(sagaId).orElse(null);
        return new Result(sagaId, instance, firstCalls, reached, interruptions, List.copyOf(violations),
                report(firstCalls, instance));
    }

    // ---------------------------------------------------------------- nodes

    private Node startFirst(NodeFault fault) {
        Node node = startNode("node-1", START, FIRST_LEASE, FIRST_POLL, false, fault);
        if (environment == Environment.SKEWED_PEER) {
            ManualTimer skewed = new ManualTimer(START.plus(LEASE.multipliedBy(2)));
            SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(definition).timer(skewed)
                    .executor(Runnable::run).nodeId("node-skewed").leaseDuration(LEASE).pollInterval(POLL)
                    .recoverOnStart(false).build();
            peer = new Node("node-skewed", skewed, orchestrator, null, LEASE);
            log.add("node-skewed started, its clock " + LEASE.multipliedBy(2) + " ahead");
        }
        return node;
    }

    /** The node that comes after {@code previous} died of {@code fault}. */
    private Node startAfter(Node previous, NodeFault fault, NodeFault next) {
        if (fault.sameNode()) {
            return startNode(previous.id(), previous.timer().now(), LEASE, POLL, true, next);
        }
        // Another node takes over once the dead node's lease on the instance has run out.
        Instant clock = previous.timer().now().plus(previous.lease());
        SagaInstance stored = sagaId == null ? null : store.find(sagaId).orElse(null);
        if (stored != null && stored.leaseUntil() != null && stored.leaseUntil().isAfter(clock)) {
            clock = stored.leaseUntil();
        }
        return startNode("node-" + (++nodeCount + 1), clock.plusSeconds(1), LEASE, POLL, true, next);
    }

    private Node startNode(String id, Instant clock, Duration lease, Duration poll, boolean recover, NodeFault fault) {
        FaultyStore view = fault != null ? new FaultyStore(store, fault.call(), fault.fault(), fault.counted())
                : FaultyStore.counting(store, Kind.WRITES);
        ManualTimer timer = new ManualTimer(clock);
        storeClock.follow(timer::now);
        AtomicReference<SagaOrchestrator> built = new AtomicReference<>();
        AtomicReference<Node> self = new AtomicReference<>();
        view.onDeath(() -> {
            participants.forbid(id + " died (" + view.note() + ")");
            SagaOrchestrator orchestrator = built.get();
            if (orchestrator != null) {
                SagaTestKit.crash(orchestrator);
            }
        });
        view.onPause(() -> takeOverWhileStalled(self.get()));
        participants.allow();
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(view).register(definition)
                .timer(environment == Environment.TIMER_LATE && !recover ? new LateTimer(timer) : timer)
                .executor(environment == Environment.EXECUTOR_REJECTS && !recover ? new RejectingExecutor()
                        : Runnable::run)
                .nodeId(id).leaseDuration(lease).pollInterval(poll).recoverOnStart(recover).build();
        built.set(orchestrator);
        Node node = new Node(id, timer, orchestrator, view, lease);
        self.set(node);
        if (view.isDead()) {
            SagaTestKit.crash(orchestrator);
        }
        log.add(id + " started at " + clock + (recover ? " and recovered" : ""));
        return node;
    }

    /**
     * Inside node 1's stalled store call: the world moves on without it. Either another node takes over once the
     * lease has run out, or (with {@link Environment#TWIN}) a second process with the same node id starts; the
     * newcomer ends the saga. Then node 1's clock catches up, and its call goes on.
     */
    private void takeOverWhileStalled(Node stalled) {
        boolean twin = environment == Environment.TWIN;
        Instant clock = twin ? stalled.timer().now() : stalled.timer().now().plus(stalled.lease()).plus(POLL);
        String id = twin ? stalled.id() : "node-" + (++nodeCount + 1);
        ManualTimer timer = new ManualTimer(clock);
        storeClock.follow(timer::now);
        participants.allow();
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(store).register(definition).timer(timer)
                .executor(Runnable::run).nodeId(id).leaseDuration(LEASE).pollInterval(POLL).recoverOnStart(true)
                .build();
        Node newcomer = new Node(id, timer, orchestrator, FaultyStore.counting(store, Kind.WRITES), LEASE);
        log.add(id + " started at " + clock + " while " + stalled.id() + " stalls" + (twin ? " (same node id)" : ""));
        drive(newcomer);
        orchestrator.close();
        // The stalled node was away all that time: its clock has moved as far, but the tasks that fell due meanwhile
        // (renewals, retries, timeouts) run only once the stall is over, late.
        Duration away = Duration.between(stalled.timer().now(), timer.now());
        stalled.timer().stall(away);
        storeClock.follow(stalled.timer()::now);
        log.add(stalled.id() + " wakes up, " + away + " later");
    }

    private void startSaga(Node node) {
        try {
            sagaId = node.orchestrator().start(definition, Trail.of("t")).sagaId();
        } catch (FaultyStore.ProcessDied | OrchestratorClosedException | SagaStoreException e) {
            // The node died in start() (or at its start-up calls), or the store refused the insert.
            sagaId = node.view().insertedId();
            log.add(node.id() + ": start() failed: " + e.getMessage());
            if (sagaId != null && store.find(sagaId).isEmpty()) {
                log.add("saga " + sagaId + " was never stored");
            }
        }
        log.add("saga " + sagaId);
    }

    /** After recovery a live instance must be driven by the node that recovered it. */
    private void checkRecovered(Node node) {
        SagaInstance instance = sagaId == null ? null : store.find(sagaId).orElse(null);
        if (instance != null && instance.status().isLive() && !node.id().equals(instance.owner())) {
            violations.add("after " + node.id() + " recovered, the instance is " + instance.status()
                    + " but owned by " + instance.owner() + " (lease until " + instance.leaseUntil() + ")");
        }
    }

    /** Delivers replies and moves the node's clock until the saga ends or the node dies. */
    private void drive(Node node) {
        if (sagaId == null || store.find(sagaId).isEmpty()) {
            return;
        }
        for (int i = 0; i < MAX_TIMER_STEPS; i++) {
            if (node.view().isDead()) {
                return;
            }
            storeClock.follow(node.timer()::now);
            pollFromPeer();
            SagaInstance instance = store.find(sagaId).orElse(null);
            if (instance == null || !instance.status().isLive()) {
                return;
            }
            StepState awaiting = instance.status() != SagaStatus.RUNNING ? null : instance.steps().stream()
                    .filter(s -> s.status() == StepStatus.AWAITING_REPLY).findFirst().orElse(null);
            if (awaiting != null && answer(node, shape.step(awaiting.name()))) {
                continue;
            }
            List<Instant> due = node.timer().dueTimes();
            if (due.isEmpty()) {
                violations.add("the instance is " + instance.status() + " on " + node.id()
                        + " but nothing is scheduled: it is stuck");
                return;
            }
            Instant next = due.get(0);
            node.timer().advance(next.isAfter(node.timer().now()) ? Duration.between(node.timer().now(), next)
                    : Duration.ZERO);
        }
        violations.add("the instance is still live on " + node.id() + " after " + MAX_TIMER_STEPS
                + " timer steps: it is stuck (" + store.find(sagaId).orElse(null) + ")");
    }

    /** The skewed peer looks for orphans: it must never take the healthy node's instance. */
    private void pollFromPeer() {
        if (peer == null) {
            return;
        }
        storeClock.follow(peer.timer()::now);
        try {
            peer.orchestrator().recover();
        } catch (RuntimeException e) {
            log.add("node-skewed: recover() failed: " + e);
        }
        SagaInstance instance = store.find(sagaId).orElse(null);
        if (instance != null && peer.id().equals(instance.owner())) {
            violations.add("the node whose clock is ahead took the instance from a healthy node");
        }
    }

    /** The remote participant answers; returns whether a reply was delivered. */
    private boolean answer(Node node, StepSpec step) {
        if (step.reply() == ReplyKind.TIMEOUT) {
            if (!participants.remoteApplied(sagaId, step.name())) {
                participants.remote(sagaId, step, ReplyKind.TIMEOUT);
            }
            return false;
        }
        participants.remote(sagaId, step, step.reply());
        SagaReply reply = step.reply() == ReplyKind.SUCCESS
                ? SagaReply.success(sagaId, step.name(), SagaShape.replyPayload(step.name()))
                : SagaReply.failure(sagaId, step.name(), "the participant refused");
        try {
            node.orchestrator().reply(reply);
            log.add(node.id() + ": delivered a " + step.reply() + " reply for '" + step.name() + "'");
            return true;
        } catch (RuntimeException e) {
            log.add(node.id() + ": the " + step.reply() + " reply for '" + step.name() + "' failed: " + e);
            return false;
        }
    }

    private void finish(Node node, int interruptions, NodeFault fault) {
        if (environment == Environment.TWIN || (fault != null && fault.fault() == Fault.PAUSE)) {
            // The stalled node wakes to an instance it no longer owns: it must do nothing more.
            participants.forbid(node.id() + " lost the saga while it stalled");
            node.timer().advance(LEASE.multipliedBy(2));
        }
        SagaInstance instance = sagaId == null ? null : store.find(sagaId).orElse(null);
        boolean listed = false;
        if (sagaId != null) {
            List<SagaInfo> failed = node.orchestrator().list(SagaQuery.withStatus(SagaStatus.FAILED));
            listed = failed.stream().anyMatch(info -> info.sagaId().equals(sagaId));
        }
        boolean refused = fault != null && fault.fault() == Fault.PERMANENT && node.view().injected();
        if (fault != null && !fault.fault().kills() && fault.fault() != Fault.PAUSE && node.view().injected()
                && node.view().calls().stream().anyMatch(call -> call.startsWith("claim"))) {
            // A node that lives through a lost answer, a failure or a hang must carry on by itself, not leave the
            // saga to the reconciliation that finds instances it owns but no longer drives.
            violations.add(node.id() + " lost track of the saga after the fault and took it back only by a claim"
                    + " (its poll, a day later)");
        }
        Set<SagaStatus> expected = refused ? EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED)
                : shape.expectedStatuses(interruptions);
        violations.addAll(Invariants.check(shape, participants, sagaId, instance, expected, listed, refused));
        node.orchestrator().close();
    }

    private String report(List<String> firstCalls, SagaInstance instance) {
        StringBuilder text = new StringBuilder();
        text.append(String.join("\n", log));
        text.append("\nnode-1 counted calls:\n  ").append(numbered(firstCalls));
        text.append("\nparticipants:\n").append(participants.describe(sagaId));
        text.append("\nstored: ").append(instance);
        if (sagaId != null && instance != null) {
            text.append("\nhistory:\n  ").append(store.history(sagaId).stream()
                    .map(e -> e.type() + (e.step() != null ? " " + e.step() : "") + " #" + e.attempt()
                            + (e.detail() != null ? " " + e.detail() : ""))
                    .collect(Collectors.joining("\n  ")));
        }
        return text.toString();
    }

    /** Numbers a list of labels, one per line. */
    static String numbered(List<String> labels) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            text.append(i == 0 ? "" : "\n  ").append(i + 1).append(". ").append(labels.get(i));
        }
        return text.toString();
    }

    /** Runs tasks on the calling thread, but rejects every third one, as a saturated bounded pool would. */
    private static final class RejectingExecutor implements Executor {
        private final AtomicInteger submitted = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            if (submitted.incrementAndGet() % 3 == 0) {
                throw new RejectedExecutionException("injected: the pool is saturated");
            }
            task.run();
        }
    }

    /** A timer whose tasks run {@link #TIMER_DELAY} after they were due (a busy timer thread, a GC pause). */
    private static final class LateTimer implements SagaTimer {
        private final ManualTimer timer;

        LateTimer(ManualTimer timer) {
            this.timer = timer;
        }

        @Override
        public Instant now() {
            return timer.now();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable task) {
            return timer.schedule(delay.plus(TIMER_DELAY), task);
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }
}
