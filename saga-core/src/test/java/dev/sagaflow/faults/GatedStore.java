package dev.sagaflow.faults;

import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One node's view of a shared store, which a test can stall: the next update that matches an armed
 * predicate waits (as if the node paused, or the network held the write) until the test releases
 * it; and every store call can be held while the node is "paused" (a stop-the-world pause: lease
 * renewals stall too). Records the result of every update. Thread-safe.
 */
public final class GatedStore extends ForwardingSagaStore {
    /** What one update was asked and answered. */
    public record Update(long expectedVersion, SagaInstance next, boolean written, String thread) {
    }

    private final List<Update> updates = new ArrayList<>();
    private final AtomicInteger rejected = new AtomicInteger();
    private volatile Predicate<SagaInstance> armed;
    private volatile CountDownLatch blocked = new CountDownLatch(1);
    private volatile CountDownLatch release = new CountDownLatch(1);
    private volatile CountDownLatch done = new CountDownLatch(1);
    private volatile CountDownLatch paused;

    public GatedStore(SagaStore delegate) {
        super(delegate);
    }

    /** The next update whose new state matches {@code next} waits until {@link #release()}. */
    public void holdNextUpdate(Predicate<SagaInstance> next) {
        blocked = new CountDownLatch(1);
        release = new CountDownLatch(1);
        done = new CountDownLatch(1);
        armed = next;
    }

    /** Waits until the held update has arrived. */
    public void awaitHeld() throws InterruptedException {
        if (!blocked.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the held update never came");
        }
    }

    /** Lets the held update go on, and waits until the store has answered it. */
    public void releaseAndAwait() throws InterruptedException {
        release.countDown();
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the released update never returned");
        }
    }

    /** Every store call from now on waits until {@link #resume()} (a stop-the-world pause of the node). */
    public void pause() {
        paused = new CountDownLatch(1);
    }

    public void resume() {
        CountDownLatch latch = paused;
        paused = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    public synchronized List<Update> updates() {
        return List.copyOf(updates);
    }

    /** How many updates lost their compare-and-set. */
    public int rejectedUpdates() {
        return rejected.get();
    }

    /** Every call waits while the node is paused. */
    @Override
    protected void beforeCall() {
        CountDownLatch latch = paused;
        if (latch != null) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        SagaInstance next = write.instance();
        beforeCall();
        Predicate<SagaInstance> hold = armed;
        boolean held = hold != null && hold.test(next);
        if (held) {
            armed = null;
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean written = false;
        try {
            written = delegate.update(expectedVersion, write);
            return written;
        } finally {
            if (!written) {
                rejected.incrementAndGet();
            }
            synchronized (this) {
                updates.add(new Update(expectedVersion, next, written, Thread.currentThread().getName()));
            }
            if (held) {
                done.countDown();
            }
        }
    }
}
