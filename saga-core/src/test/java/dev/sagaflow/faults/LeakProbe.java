package dev.sagaflow.faults;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks for what a finished saga must not leave behind: objects it held (through weak references
 * to sampled saga data), the runtime's named threads, and heap. Not thread-safe.
 */
public final class LeakProbe {
    private final List<WeakReference<Object>> watched = new ArrayList<>();

    /** Watches {@code object}, which nothing should hold once its saga has ended and the caller dropped it. */
    public void watch(Object object) {
        watched.add(new WeakReference<>(object));
    }

    /** How many watched objects are still reachable after garbage collection (collecting a few times). */
    public int stillReachable() throws InterruptedException {
        int alive = 0;
        for (int round = 0; round < 10; round++) {
            System.gc();
            Thread.sleep(50);
            alive = (int) watched.stream().filter(ref -> ref.get() != null).count();
            if (alive == 0) {
                break;
            }
        }
        return alive;
    }

    public int watchedCount() {
        return watched.size();
    }

    /**
     * Live threads whose name starts with {@code sagaflow-}, other than those in {@code before} (threads of
     * other tests in the same JVM), waiting a little for stopped pools to wind down.
     */
    public static List<String> sagaflowThreads(List<String> before) throws InterruptedException {
        List<String> names = List.of();
        for (int round = 0; round < 100; round++) {
            names = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .map(t -> t.getName() + "#" + t.getId())
                    .filter(name -> name.startsWith("sagaflow-") && !before.contains(name)).sorted().toList();
            if (names.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        return names;
    }

    /** Heap in use after garbage collection, in MB. */
    public static long usedHeapMb() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
