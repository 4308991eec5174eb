package dev.sagaflow.testing;

import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.internal.Orchestrator;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/**
 * Everything a unit test of a saga needs, wired together: an in-memory store that round-trips data
 * through JSON, a {@link ManualTimer}, a {@link SynchronousExecutor}, a {@link FaultInjector} and a
 * {@link RecordingListener}. Sagas run inside the test's own calls, retries and timeouts happen when
 * the test moves the clock, and a crash is one call away:
 *
 * <pre>{@code
 * SagaTestKit kit = SagaTestKit.create();
 * kit.faults().failAction("reserve-credit", 1, new IOException("down"));
 * SagaOrchestrator orchestrator = kit.orchestrator().register(createOrder).build();
 * SagaExecution<Order> execution = orchestrator.start(createOrder, order);
 * kit.timer().advance(Duration.ofSeconds(1));   // the retry runs
 * }</pre>
 *
 * Not thread-safe itself; what it hands out is.
 */
public final class SagaTestKit {
    private final SagaStore store;
    private final ManualTimer timer;
    private final SynchronousExecutor executor = new SynchronousExecutor();
    private final FaultInjector faults = new FaultInjector();
    private final RecordingListener listener = new RecordingListener();
    private int nodes;

    private SagaTestKit(SagaStore store, ManualTimer timer) {
        this.store = store;
        this.timer = timer;
    }

    /**
     * A kit over a new {@link InMemorySagaStore} that round-trips data through JSON and keeps every finished
     * saga, whose clock (the one leases are measured on) is the kit's timer: leases run out as the test moves
     * time.
     */
    public static SagaTestKit create() {
        ManualTimer timer = new ManualTimer();
        return new SagaTestKit(InMemorySagaStore.builder().clock(timer.clock()).retainFinished(Integer.MAX_VALUE)
                .build(), timer);
    }

    /**
     * A kit over another store (a JDBC store, a fault-injecting wrapper). Leases are measured on that store's
     * clock; to have them run out as the test moves time, build the store with {@code clock(timer.clock())} and
     * use {@link #over(SagaStore, ManualTimer)}.
     */
    public static SagaTestKit over(SagaStore store) {
        return over(store, new ManualTimer());
    }

    /** A kit over another store, driven by {@code timer} (typically the one whose clock the store measures leases on). */
    public static SagaTestKit over(SagaStore store, ManualTimer timer) {
        if (store == null) {
            throw new IllegalArgumentException("store cannot be null");
        }
        if (timer == null) {
            throw new IllegalArgumentException("timer cannot be null");
        }
        return new SagaTestKit(store, timer);
    }

    /**
     * A builder for an orchestrator wired to this kit, with node id {@code node-1}, {@code node-2},
     * ... on successive calls (so a "restarted" node claims its predecessor's instances only once
     * their leases expire; pass the same id with {@code nodeId(...)} to resume at once).
     */
    public SagaOrchestrator.Builder orchestrator() {
        nodes++;
        return SagaOrchestrator.builder(store).timer(timer).executor(executor).interceptor(faults)
                .listener(listener).nodeId("node-" + nodes);
    }

    /** The store every orchestrator of this kit writes to. */
    public SagaStore store() {
        return store;
    }

    /** The clock and scheduler of every orchestrator of this kit; move it to run retries and timeouts. */
    public ManualTimer timer() {
        return timer;
    }

    /** The fault rules applied to every orchestrator of this kit. */
    public FaultInjector faults() {
        return faults;
    }

    /** The events of every orchestrator of this kit, in order. */
    public RecordingListener listener() {
        return listener;
    }

    /**
     * Makes {@code orchestrator} stop as if its process had died: it writes nothing more, releases
     * no lease, and ignores attempts still running. Its instances stay in the store for another
     * orchestrator to resume.
     */
    public static void crash(SagaOrchestrator orchestrator) {
        if (!(orchestrator instanceof Orchestrator internal)) {
            throw new IllegalArgumentException("not a Sagaflow orchestrator: " + orchestrator);
        }
        internal.halt();
    }

    /**
     * Delivers {@code reply} twice, as a redelivering broker would, and returns the rejection of the
     * second delivery.
     *
     * @throws AssertionError if the second delivery was not rejected
     */
    public static ReplyRejectedException deliverTwice(SagaOrchestrator orchestrator, SagaReply reply) {
        orchestrator.reply(reply);
        try {
            orchestrator.reply(reply);
        } catch (ReplyRejectedException expected) {
            return expected;
        }
        throw new AssertionError("the second delivery of " + reply + " was applied; it should have been rejected");
    }
}
