package dev.sagaflow.faults;

import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.FollowingClock;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.StepState;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import dev.sagaflow.testing.SynchronousExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * One run of one saga through a chain of nodes that die: node 1 starts the saga and dies at its
 * first crash point, node 2 recovers it from the surviving store (and may die at its own crash
 * point), and so on; the last node does not die and drives the saga to its end. Every node runs on
 * its own {@link ManualTimer} (its own process) and a {@link SynchronousExecutor}, so a run is
 * exactly repeatable; when a node dies, its timer and everything in flight die with it.
 *
 * <p>The run delivers the replies of awaiting steps the way the shape says (after a crash, again,
 * to the recovering node), and moves each node's clock to its next due task until the saga ends.
 * Then it checks the {@link Invariants}.
 */
public final class CrashRun {
    public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    /** Node 1's lease is long and it never polls, so its writes are the saga's own and no renewals. */
    private static final Duration FIRST_LEASE = Duration.ofHours(1);
    private static final Duration FIRST_POLL = Duration.ofDays(1);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofSeconds(10);
    private static final int MAX_TIMER_STEPS = 2_000;

    /**
     * Where a node dies.
     *
     * @param write the node's write (1-based) at which it dies
     * @param when before the write is done, or after
     * @param sameNode whether the next node restarts under the same id (and claims its instances at
     *     once) or is another node (which claims them once the lease ran out)
     */
    public record Crash(int write, CrashingStore.When when, boolean sameNode) {
        @Override
        public String toString() {
            return "dies " + when.name().toLowerCase() + " write " + write + ", then "
                    + (sameNode ? "restarts as the same node" : "another node takes over after the lease");
        }
    }

    /**
     * What a run left behind.
     *
     * @param firstNodeWrites the labels of node 1's writes (all of them when node 1 does not die)
     * @param crashesReached how many of the planned crash points were reached
     * @param violations broken invariants; empty when all hold
     * @param report what happened, for assertion messages
     */
    public record Result(String sagaId, SagaInstance instance, List<String> firstNodeWrites, int crashesReached,
            List<String> violations, String report) {
    }

    private record Node(String id, ManualTimer timer, SagaOrchestrator orchestrator, CrashingStore wrapped,
            Duration lease) {
    }

    private final SagaShape shape;
    private final SagaStore store;
    private final FollowingClock storeClock;
    private final Participants participants;
    private final SagaDefinition<Trail> definition;
    private final List<String> log = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private String sagaId;

    /**
     * A run on a store made by {@code storeFactory} with the run's store clock: the store's time is always the
     * live node's time, so the lease of a dead node runs out when the next node's clock has passed it.
     *
     * @param storeFactory makes an empty store measuring leases on the clock it is given; the run writes through
     *     it and reads it directly (never through a dying wrapper)
     * @param sagaName the definition's name
     */
    public CrashRun(SagaShape shape, java.util.function.Function<java.time.Clock, SagaStore> storeFactory,
            String sagaName) {
        this.shape = shape;
        this.storeClock = new FollowingClock(START);
        this.store = storeFactory.apply(storeClock);
        this.participants = new Participants(shape);
        this.definition = shape.define(sagaName, participants);
    }

    public Participants participants() {
        return participants;
    }

    /** Runs the saga, node {@code i} dying as {@code crashes.get(i)} says. */
    public Result run(List<Crash> crashes) {
        log.add("shape: " + shape);
        log.add("crashes: " + (crashes.isEmpty() ? "none" : crashes));
        List<String> firstWrites = List.of();
        int reached = 0;
        Node previous = null;
        for (int n = 0; n <= crashes.size(); n++) {
            Crash crash = n < crashes.size() ? crashes.get(n) : null;
            Node node = startNode(n, crash, previous, crashes);
            if (n == 0) {
                startSaga(node);
            } else if (node.wrapped() == null || !node.wrapped().isDead()) {
                checkRecovered(node);
            }
            drive(node);
            if (n == 0) {
                firstWrites = node.wrapped().writes();
            }
            if (crash != null) {
                if (node.wrapped().isDead()) {
                    reached++;
                    log.add(node.id() + ": " + node.wrapped().deathNote());
                } else {
                    log.add(node.id() + ": crash point not reached (it made " + node.wrapped().writes().size()
                            + " writes); it is stopped anyway");
                }
                SagaTestKit.crash(node.orchestrator());
            } else {
                finish(node, reached);
            }
            previous = node;
        }
        SagaInstance instance = sagaId == null ? null : store.find(sagaId).orElse(null);
        return new Result(sagaId, instance, firstWrites, reached, List.copyOf(violations), report(firstWrites, instance));
    }

    private Node startNode(int n, Crash crash, Node previous, List<Crash> crashes) {
        String id;
        Instant clock;
        if (previous == null) {
            id = "node-1";
            clock = START;
        } else if (crashes.get(n - 1).sameNode()) {
            id = previous.id();
            clock = previous.timer().now();
        } else {
            // Another node takes over once the dead node's lease on the instance has run out.
            id = "node-" + (n + 1);
            clock = previous.timer().now().plus(previous.lease());
            SagaInstance stored = sagaId == null ? null : store.find(sagaId).orElse(null);
            if (stored != null && stored.leaseUntil() != null && stored.leaseUntil().isAfter(clock)) {
                clock = stored.leaseUntil();
            }
            clock = clock.plusSeconds(1);
        }
        CrashingStore wrapped = crash != null ? new CrashingStore(store, crash.write(), crash.when())
                : n == 0 ? CrashingStore.counting(store) : null;
        ManualTimer timer = new ManualTimer(clock);
        storeClock.follow(timer::now);
        Duration lease = n == 0 ? FIRST_LEASE : LEASE;
        AtomicReference<SagaOrchestrator> built = new AtomicReference<>();
        if (wrapped != null) {
            wrapped.onDeath(() -> {
                participants.forbid(id + " died (" + wrapped.deathNote() + ")");
                SagaOrchestrator orchestrator = built.get();
                if (orchestrator != null) {
                    SagaTestKit.crash(orchestrator);
                }
            });
        }
        participants.allow();
        SagaOrchestrator orchestrator = SagaOrchestrator.builder(wrapped != null ? wrapped : store)
                .register(definition).timer(timer).executor(new SynchronousExecutor()).nodeId(id)
                .leaseDuration(lease).pollInterval(n == 0 ? FIRST_POLL : POLL).recoverOnStart(n > 0)
                .build();
        built.set(orchestrator);
        if (wrapped != null && wrapped.isDead()) {
            SagaTestKit.crash(orchestrator);
        }
        log.add(id + " started at " + clock + (n > 0 ? " and recovered" : ""));
        return new Node(id, timer, orchestrator, wrapped, lease);
    }

    private void startSaga(Node node) {
        try {
            sagaId = node.orchestrator().start(definition, Trail.of("t")).sagaId();
        } catch (CrashingStore.ProcessDied | OrchestratorClosedException e) {
            // The node died in start(), or before it (at its start-up writes).
            sagaId = node.wrapped().insertedId();
            log.add(node.id() + ": start() failed: " + e.getMessage());
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
        if (sagaId == null) {
            return;
        }
        for (int i = 0; i < MAX_TIMER_STEPS; i++) {
            if (node.wrapped() != null && node.wrapped().isDead()) {
                return;
            }
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

    private void finish(Node node, int crashesReached) {
        SagaInstance instance = sagaId == null ? null : store.find(sagaId).orElse(null);
        boolean listed = false;
        if (sagaId != null) {
            List<SagaInfo> failed = node.orchestrator().list(SagaQuery.withStatus(SagaStatus.FAILED));
            listed = failed.stream().anyMatch(info -> info.sagaId().equals(sagaId));
        }
        Set<SagaStatus> expected = shape.expectedStatuses(crashesReached);
        violations.addAll(Invariants.check(shape, participants, sagaId, instance, expected, listed));
        node.orchestrator().close();
    }

    private String report(List<String> firstWrites, SagaInstance instance) {
        StringBuilder text = new StringBuilder();
        text.append(String.join("\n", log));
        text.append("\nnode-1 writes:\n  ").append(numbered(firstWrites));
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
}
