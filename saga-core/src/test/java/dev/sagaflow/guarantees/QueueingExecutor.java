package dev.sagaflow.guarantees;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * An executor whose tasks wait in a queue until the test runs them: a busy pool, under the test's control.
 * Not thread-safe; for single-threaded tests with a manual timer.
 */
final class QueueingExecutor implements Executor {
    private final Queue<Runnable> queue = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        queue.add(task);
    }

    /** Runs the queued tasks, and the tasks they queue, until none is left. */
    void runAll() {
        Runnable task;
        while ((task = queue.poll()) != null) {
            task.run();
        }
    }

    int queued() {
        return queue.size();
    }
}
