package dev.sagaflow.faults;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One node's view of the store, through which every call of that node passes, numbered in order, and which
 * injects one fault at a chosen call: the process dies just before or just after it, its acknowledgement is lost
 * (the call took effect, the caller gets an error whose outcome is unknown), it fails transiently or for good
 * (it did not take effect), or it hangs until its statement timeout (it did not take effect; the caller gets a
 * transient error). A fault of kind {@link Fault#PAUSE} runs a hook inside the call before it proceeds: the node
 * is stalled there while the test lets the world move on (another node takes over, a second process with the
 * same node id starts). Calls are numbered among those of the {@link Kind}s the injection counts (writes only,
 * as the crash-at-every-write suite does, or every call). With no injection it only counts and labels calls.
 *
 * <p>When the process dies, the death hook runs (it halts the orchestrator, as {@code SagaTestKit.crash} does) and
 * from then on every call is refused with {@link ProcessDied}. Thread-safe.
 */
public final class FaultyStore extends ForwardingSagaStore {
    /** What happens at the chosen call. */
    public enum Fault {
        /** The process dies before the call: it did not take effect. */
        CRASH_BEFORE,
        /** The process dies after the call took effect, before its answer arrives. */
        CRASH_AFTER,
        /** The call takes effect, but its answer is lost: an error whose outcome is unknown. */
        ACK_LOST,
        /** The call fails without taking effect, and may succeed if tried again. */
        TRANSIENT,
        /** The call fails without taking effect, and would again: the store refuses it for good. */
        PERMANENT,
        /** The call blocks until its statement timeout and fails without taking effect. */
        HANG,
        /** The node stalls inside the call (the pause hook runs), then the call goes on. */
        PAUSE;

        /** Whether the node's process dies at this fault. */
        public boolean kills() {
            return this == CRASH_BEFORE || this == CRASH_AFTER;
        }
    }

    /** A kind of store call. */
    public enum Kind {
        INSERT, UPDATE, CLAIM, REGISTER, RENEW, RELEASE, DEREGISTER, RECORD_REPLY, PURGE, READ;

        /** The calls that change the store. */
        public static final Set<Kind> WRITES = EnumSet.complementOf(EnumSet.of(READ));
        /** Every call. */
        public static final Set<Kind> ALL = EnumSet.allOf(Kind.class);
    }

    /** Every call a dead process makes gets this. */
    public static final class ProcessDied extends RuntimeException {
        ProcessDied(String message) {
            super(message, null, false, false);
        }
    }

    private final int faultAt;
    private final Fault fault;
    private final Set<Kind> counted;
    private final List<String> calls = new ArrayList<>();
    private volatile boolean dead;
    private volatile boolean injected;
    private volatile Runnable onDeath = () -> { };
    private volatile Runnable onPause = () -> { };
    private volatile String insertedId;
    private String note;

    /**
     * @param faultAt the counted call (1-based) at which {@code fault} happens; 0 for none
     * @param counted which kinds of call are counted
     */
    public FaultyStore(SagaStore delegate, int faultAt, Fault fault, Set<Kind> counted) {
        super(delegate);
        this.faultAt = faultAt;
        this.fault = fault;
        this.counted = Set.copyOf(counted);
    }

    /** A wrapper that injects nothing: it counts and labels the calls of {@code counted} kinds. */
    public static FaultyStore counting(SagaStore delegate, Set<Kind> counted) {
        return new FaultyStore(delegate, 0, Fault.TRANSIENT, counted);
    }

    /** Runs (once, on the calling thread) when the process dies. */
    public FaultyStore onDeath(Runnable hook) {
        this.onDeath = hook;
        return this;
    }

    /** Runs (once, on the calling thread, inside the stalled call) at a {@link Fault#PAUSE}. */
    public FaultyStore onPause(Runnable hook) {
        this.onPause = hook;
        return this;
    }

    public boolean isDead() {
        return dead;
    }

    /** Whether the fault happened (the chosen call was reached). */
    public boolean injected() {
        return injected;
    }

    /** Labels of the counted calls made so far, the faulty one included. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** The id of the instance the last insert carried (even if it failed), or null. */
    public String insertedId() {
        return insertedId;
    }

    /** What the fault did, or null if it has not happened. */
    public synchronized String note() {
        return note;
    }

    private <T> T call(Kind kind, String label, Supplier<T> operation) {
        if (dead) {
            throw new ProcessDied("this process is dead: " + note());
        }
        if (!counted.contains(kind)) {
            return operation.get();
        }
        int number;
        synchronized (this) {
            calls.add(label);
            number = calls.size();
        }
        if (number != faultAt) {
            return operation.get();
        }
        String where = "call " + number + " (" + label + ")";
        injected = true;
        switch (fault) {
            case CRASH_BEFORE:
                throw die("the process died before " + where + "; it was not done");
            case CRASH_AFTER: {
                operation.get();
                throw die("the process died after " + where + "; it was done");
            }
            case ACK_LOST: {
                operation.get();
                record("the answer to " + where + " was lost; it was done");
                throw new SagaStoreException("injected: connection lost after the statement was sent", null, null,
                        SagaStoreException.Failure.OUTCOME_UNKNOWN);
            }
            case TRANSIENT:
                record(where + " failed transiently; it was not done");
                throw new SagaStoreException("injected: serialization failure", null, null,
                        SagaStoreException.Failure.TRANSIENT);
            case PERMANENT:
                record(where + " was refused for good; it was not done");
                throw new SagaStoreException("injected: value refused by the database", null, null,
                        SagaStoreException.Failure.PERMANENT);
            case HANG:
                record(where + " hung until its statement timeout; it was not done");
                throw new SagaStoreException("injected: statement timeout (the call hung)", null, null,
                        SagaStoreException.Failure.TRANSIENT);
            case PAUSE:
                record("the node stalled in " + where);
                onPause.run();
                return operation.get();
            default:
                throw new IllegalStateException("unknown fault " + fault);
        }
    }

    private synchronized void record(String what) {
        note = what;
    }

    private ProcessDied die(String how) {
        record(how);
        dead = true;
        onDeath.run();
        return new ProcessDied(how);
    }

    @Override
    protected void beforeCall() {
        if (dead) {
            throw new ProcessDied("this process is dead: " + note());
        }
    }

    private static String types(List<HistoryEntry> history) {
        return history.stream().map(e -> e.type() + (e.step() != null ? " " + e.step() : ""))
                .collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- writes

    @Override
    public boolean insert(InstanceWrite write) {
        insertedId = write.instance().id();
        return call(Kind.INSERT, "insert (" + types(write.history()) + ")", () -> delegate.insert(write));
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        SagaInstance next = write.instance();
        String label = "update to v" + next.version() + " " + next.status()
                + (write.history().isEmpty() ? " (claim for a reply or an operator)" : " (" + types(write.history()) + ")");
        return call(Kind.UPDATE, label, () -> delegate.update(expectedVersion, write));
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return call(Kind.CLAIM, "claim by " + request.owner() + (request.ids().isEmpty() ? "" : " of given ids"),
                () -> delegate.claim(request));
    }

    @Override
    public NodeRegistration registerNode(NodeLease node) {
        return call(Kind.REGISTER, "registration of " + node.nodeId(), () -> delegate.registerNode(node));
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        return call(Kind.RENEW, "lease renewal by " + node.nodeId(), () -> delegate.renewLeases(node));
    }

    @Override
    public int releaseLeases(String owner) {
        return call(Kind.RELEASE, "lease release by " + owner, () -> delegate.releaseLeases(owner));
    }

    @Override
    public void deregisterNode(NodeLease node) {
        call(Kind.DEREGISTER, "deregistration of " + node.nodeId(), () -> {
            delegate.deregisterNode(node);
            return null;
        });
    }

    @Override
    public boolean recordReply(RecordedReply reply) {
        return call(Kind.RECORD_REPLY, "recorded reply for " + reply.step(), () -> delegate.recordReply(reply));
    }

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        return call(Kind.PURGE, "purge", () -> delegate.purgeFinished(finishedBefore, limit));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<SagaInstance> find(String id) {
        return call(Kind.READ, "read of the instance", () -> delegate.find(id));
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        return call(Kind.READ, "read by idempotency key", () -> delegate.findByIdempotencyKey(sagaName, idempotencyKey));
    }

    @Override
    public List<HistoryEntry> history(String id) {
        return call(Kind.READ, "read of the history", () -> delegate.history(id));
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        return call(Kind.READ, "query" + (query.owner() != null ? " of owned instances" : ""),
                () -> delegate.query(query));
    }

    @Override
    public List<SagaCount> count(SagaQuery query) {
        return call(Kind.READ, "count", () -> delegate.count(query));
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        return call(Kind.READ, "read of recorded replies", () -> delegate.replies(sagaId));
    }

    @Override
    public String toString() {
        return "FaultyStore[" + (faultAt == 0 ? "counting" : fault + " at call " + faultAt) + " of " + counted
                + " over " + delegate + "]";
    }
}
