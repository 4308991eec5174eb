package dev.sagaflow.testing;

import java.util.concurrent.Executor;

/**
 * Runs every task at once on the calling thread, so that with a {@link ManualTimer} a whole saga
 * runs inside the test's own call, deterministically. Thread-safe (it keeps no state).
 */
public final class SynchronousExecutor implements Executor {
    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public String toString() {
        return "SynchronousExecutor";
    }
}
