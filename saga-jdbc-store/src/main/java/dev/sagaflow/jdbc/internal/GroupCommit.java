package dev.sagaflow.jdbc.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Gathers the writes of concurrent callers into batches, each written by one transaction, and makes every caller
 * wait until the batch that holds its write has been written (or has failed). There is no thread of its own: a
 * caller that arrives while fewer than {@code maxInFlight} batches are being written becomes a leader, takes up to
 * {@code maxBatch} of the oldest waiting writes, writes them through the batch writer, goes on until its own write
 * is done, and then hands the lead to the oldest write still waiting. The writes that arrive while batches are in
 * flight form the next ones; a lone caller writes its own batch of one at once, without any hand-over between
 * threads. More than one batch in flight keeps the database busy while a leader waits for a core or a commit.
 *
 * <p>Two writes with the same conflict key (the same instance, the same idempotency key) never share a batch: the
 * later one waits for the next batch, so that the order of a batch's writes never decides who wins a race.
 *
 * <p>Thread-safe. A waiting caller is not interruptible: its write may already be on its way to the database, and
 * its call must not return before the outcome is known. An interrupt is kept and re-asserted when the call returns.
 *
 * @param <W> a pending write; the batch writer records each write's outcome in it
 */
public final class GroupCommit<W extends GroupCommit.Pending> {

    /** A write waiting in a batch. Subclasses carry what to write and the outcome. */
    public abstract static class Pending {
        private boolean done;
        private boolean leader;

        /** The keys no other write in the same batch may share. */
        protected abstract List<Object> conflictKeys();

        /** Marks this write's outcome as known and wakes its caller. Called by the batch writer, once. */
        public final synchronized void finish() {
            done = true;
            notifyAll();
        }

        /** Whether the outcome is known. */
        public final synchronized boolean isDone() {
            return done;
        }

        synchronized void promote() {
            leader = true;
            notifyAll();
        }

        synchronized void demote() {
            leader = false;
        }

        synchronized boolean isLeader() {
            return leader;
        }

        /** Waits until this write is done or its caller must lead; returns {@code true} when it must lead. */
        synchronized boolean awaitTurn() {
            boolean interrupted = false;
            while (!done && !leader) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return !done;
        }
    }

    private final int maxBatch;
    private final long maxWaitNanos;
    private final int maxInFlight;
    private final Consumer<List<W>> writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition filled = lock.newCondition();
    private final ArrayDeque<W> queue = new ArrayDeque<>();
    /** How many callers lead, each writing one batch at a time; guarded by lock. */
    private int leaders;

    /**
     * @param maxBatch the most writes in one batch
     * @param maxWaitNanos how long a leader waits for a batch to fill up before writing it (0: not at all)
     * @param maxInFlight the most batches written at the same time
     * @param writer writes a batch and calls {@link Pending#finish()} on every write in it, whatever happens; a
     *     write it did not finish is finished by this class (its outcome then stays unset, which the caller must
     *     treat as a failure)
     */
    public GroupCommit(int maxBatch, long maxWaitNanos, int maxInFlight, Consumer<List<W>> writer) {
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitNanos;
        this.maxInFlight = maxInFlight;
        this.writer = writer;
    }

    /** Queues {@code write} and returns once the batch that held it was written or failed. */
    public void submit(W write) {
        lock.lock();
        try {
            queue.addLast(write);
            if (leaders < maxInFlight) {
                leaders++;
                write.promote();
            } else if (queue.size() >= maxBatch) {
                filled.signal();
            }
        } finally {
            lock.unlock();
        }
        while (write.awaitTurn()) {
            lead(write);
        }
    }

    /**
     * Writes batches from the head of the queue until the caller's own write is done, then hands the lead to the
     * oldest write still waiting. Gives up the lead without writing when another leader has taken everything,
     * the caller's write included.
     */
    private void lead(W own) {
        while (true) {
            List<W> batch;
            lock.lock();
            try {
                if (maxWaitNanos > 0) {
                    awaitFill();
                }
                batch = take();
                if (batch.isEmpty()) {
                    // Another leader is writing the caller's write: wait for it as a follower.
                    leaders--;
                    own.demote();
                    handOver();
                    return;
                }
            } finally {
                lock.unlock();
            }
            Throwable failure = null;
            try {
                writer.accept(batch);
            } catch (RuntimeException | Error e) {
                failure = e;
            } finally {
                for (W write : batch) {
                    if (!write.isDone()) {
                        write.finish();
                    }
                }
            }
            if (own.isDone() || failure != null) {
                // Give up the lead before anything else, so that the others never wait for a lead that is gone.
                lock.lock();
                try {
                    leaders--;
                    handOver();
                } finally {
                    lock.unlock();
                }
                if (failure instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (failure instanceof Error error) {
                    throw error;
                }
                return;
            }
        }
    }

    /** Promotes the oldest waiting write while fewer than the allowed batches are in flight. Under lock. */
    private void handOver() {
        W next = queue.peekFirst();
        if (next != null && leaders < maxInFlight && !next.isLeader()) {
            leaders++;
            next.promote();
        }
    }

    /** Waits, up to the maximum wait, for a full batch. Under lock. */
    private void awaitFill() {
        long left = maxWaitNanos;
        boolean interrupted = false;
        while (queue.size() < maxBatch && left > 0) {
            try {
                left = filled.awaitNanos(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The oldest waiting writes, up to the batch size, leaving behind any that conflict with one taken. */
    private List<W> take() {
        List<W> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
        Set<Object> keys = new HashSet<>();
        for (Iterator<W> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            W write = it.next();
            List<Object> writeKeys = write.conflictKeys();
            boolean conflicts = false;
            for (Object key : writeKeys) {
                if (keys.contains(key)) {
                    conflicts = true;
                    break;
                }
            }
            if (!conflicts) {
                keys.addAll(writeKeys);
                batch.add(write);
                it.remove();
            }
        }
        return batch;
    }

    /** The settings, for the store's {@code toString()}. */
    @Override
    public String toString() {
        return "group commit (max batch " + maxBatch + ", max wait " + TimeUnit.NANOSECONDS.toMicros(maxWaitNanos)
                + " µs, batches in flight " + maxInFlight + ")";
    }
}
