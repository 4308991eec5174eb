package dev.sagaflow.faults;

import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A store wrapper through which a node's process "dies" immediately before or after its k-th write
 * (insert, update, claim, lease renewal or release): before, the write is not done; after, it is
 * done but its answer never arrives. At that moment the wrapper runs its death hook (which halts
 * the orchestrator, as {@code SagaTestKit.crash} does) and from then on refuses every call with
 * {@link ProcessDied}. With {@code crashAt} 0 it only counts and labels the writes.
 */
public final class CrashingStore extends ForwardingSagaStore {
    /** Whether the process dies before the write is done or just after. */
    public enum When { BEFORE, AFTER }

    /** What every call gets from a dead node's store. */
    public static final class ProcessDied extends RuntimeException {
        ProcessDied(String message) {
            super(message, null, false, false);
        }
    }

    private final int crashAt;
    private final When when;
    private final List<String> writes = new ArrayList<>();
    private volatile boolean dead;
    private volatile Runnable onDeath = () -> { };
    private volatile String insertedId;
    private String deathNote;

    public CrashingStore(SagaStore delegate, int crashAt, When when) {
        super(delegate);
        this.crashAt = crashAt;
        this.when = when;
    }

    /** A wrapper that never crashes: it counts and labels writes. */
    public static CrashingStore counting(SagaStore delegate) {
        return new CrashingStore(delegate, 0, When.BEFORE);
    }

    /** Runs (once, on the writing thread) when the process dies. */
    public CrashingStore onDeath(Runnable hook) {
        this.onDeath = hook;
        return this;
    }

    public boolean isDead() {
        return dead;
    }

    /** Labels of the writes made so far, the fatal one included. */
    public synchronized List<String> writes() {
        return List.copyOf(writes);
    }

    /** The id of the instance the last insert carried (even if it died), or null. */
    public String insertedId() {
        return insertedId;
    }

    /** How the process died, or null. */
    public synchronized String deathNote() {
        return deathNote;
    }

    private <T> T write(String label, Supplier<T> operation) {
        beforeCall();
        int number;
        synchronized (this) {
            writes.add(label);
            number = writes.size();
        }
        if (number == crashAt && when == When.BEFORE) {
            throw die("before write " + number + " (" + label + "); it was not done");
        }
        T result = operation.get();
        if (number == crashAt && when == When.AFTER) {
            throw die("after write " + number + " (" + label + "); it was done");
        }
        return result;
    }

    private ProcessDied die(String how) {
        synchronized (this) {
            deathNote = "the process died " + how;
        }
        dead = true;
        onDeath.run();
        return new ProcessDied(deathNote);
    }

    /** Every call, write or read, fails once the process is dead. */
    @Override
    protected void beforeCall() {
        if (dead) {
            throw new ProcessDied("this process is dead: " + deathNote);
        }
    }

    private static String types(List<HistoryEntry> history) {
        return history.stream().map(e -> e.type() + (e.step() != null ? " " + e.step() : ""))
                .collect(Collectors.joining(", "));
    }

    @Override
    public boolean insert(InstanceWrite write) {
        insertedId = write.instance().id();
        return write("insert (" + types(write.history()) + ")", () -> delegate.insert(write));
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        SagaInstance next = write.instance();
        String label = "update to v" + next.version() + " " + next.status()
                + (write.history().isEmpty() ? " (claim for a reply or an operator)" : " (" + types(write.history()) + ")");
        return write(label, () -> delegate.update(expectedVersion, write));
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        return write("claim by " + request.owner(), () -> delegate.claim(request));
    }

    @Override
    public NodeRegistration registerNode(NodeLease node) {
        return write("registration of " + node.nodeId(), () -> delegate.registerNode(node));
    }

    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        return write("lease renewal by " + node.nodeId(), () -> delegate.renewLeases(node));
    }

    @Override
    public int releaseLeases(String owner) {
        return write("lease release by " + owner, () -> delegate.releaseLeases(owner));
    }

    @Override
    public void deregisterNode(NodeLease node) {
        write("deregistration of " + node.nodeId(), () -> {
            delegate.deregisterNode(node);
            return null;
        });
    }

    @Override
    public boolean recordReply(RecordedReply reply) {
        return write("recorded reply for " + reply.step(), () -> delegate.recordReply(reply));
    }

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        return write("purge", () -> delegate.purgeFinished(finishedBefore, limit));
    }

    @Override
    public String toString() {
        return "CrashingStore[" + (crashAt == 0 ? "counting" : "dies " + when + " write " + crashAt) + " over "
                + delegate + "]";
    }
}
