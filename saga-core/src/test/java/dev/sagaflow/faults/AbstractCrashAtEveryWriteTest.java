package dev.sagaflow.faults;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.sagaflow.faults.CrashRun.Crash;
import dev.sagaflow.faults.CrashingStore.When;
import dev.sagaflow.store.SagaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * For every saga shape in {@link Shapes} and every write k that the saga makes, the node running
 * it dies immediately before, and immediately after, write k; a fresh node over the surviving
 * store recovers it (restarting under the same id, or as another node once the lease ran out) and
 * drives it to its end; then every {@link Invariants invariant} holds. A second series lets the
 * recovering node die too, at its claim or just after it. A store's test extends this class and
 * implements {@link #emptyStore(Clock)}. Published in saga-core's test-jar.
 */
public abstract class AbstractCrashAtEveryWriteTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger CRASH_POINTS = new AtomicInteger();

    /** An empty store for one run (a new one, or a shared one emptied). */
    protected abstract SagaStore emptyStore(Clock storeClock);

    /**
     * Whether every crash point is tried with both kinds of restart (the same node at once, another
     * node after the lease); otherwise they alternate from one write to the next. Default: both on
     * the in-memory store, and everywhere when {@link FaultSettings#exhaustive()} is set.
     */
    protected boolean bothRestarts() {
        return true;
    }

    @TestFactory
    Stream<DynamicContainer> every_shape_ends_correctly_after_its_node_dies_before_or_after_any_write() {
        return Shapes.all().stream().map(shape -> {
            CrashRun.Result clean = run(shape, List.of());
            List<String> writes = clean.firstNodeWrites();
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(dynamicTest("no crash: " + writes.size() + " writes", () -> assertHolds(clean)));
            for (int k = 1; k <= writes.size(); k++) {
                for (When when : When.values()) {
                    boolean both = bothRestarts() || FaultSettings.exhaustive();
                    for (boolean sameNode : both ? new boolean[] {true, false} : new boolean[] {k % 2 == 1}) {
                        Crash crash = new Crash(k, when, sameNode);
                        tests.add(dynamicTest(crash + " [" + writes.get(k - 1) + "]", () -> {
                            CrashRun.Result result = run(shape, List.of(crash));
                            CRASH_POINTS.incrementAndGet();
                            assertThat(result.crashesReached()).as("crash point reached").isEqualTo(1);
                            assertHolds(result);
                        }));
                    }
                }
            }
            return dynamicContainer(shape.label(), tests);
        });
    }

    @TestFactory
    Stream<DynamicContainer> every_shape_ends_correctly_when_the_recovering_node_dies_as_well() {
        List<Crash> second = List.of(new Crash(1, When.BEFORE, false), new Crash(1, When.AFTER, true),
                new Crash(2, When.AFTER, false));
        return Shapes.all().stream().map(shape -> {
            List<String> writes = run(shape, List.of()).firstNodeWrites();
            List<DynamicTest> tests = new ArrayList<>();
            for (int k = 1; k <= writes.size(); k++) {
                Crash first = new Crash(k, When.AFTER, k % 2 == 0);
                for (Crash then : second) {
                    tests.add(dynamicTest("node 1 " + first + "; node 2 " + then, () -> {
                        CrashRun.Result result = run(shape, List.of(first, then));
                        CRASH_POINTS.addAndGet(result.crashesReached());
                        assertHolds(result);
                    }));
                }
            }
            return dynamicContainer(shape.label(), tests);
        });
    }

    private CrashRun.Result run(SagaShape shape, List<Crash> crashes) {
        RUNS.incrementAndGet();
        return new CrashRun(shape, this::emptyStore, "crash-" + shape.label()).run(crashes);
    }

    static void assertHolds(CrashRun.Result result) {
        assertThat(result.violations()).as("broken invariants; what happened:%n%s", result.report()).isEmpty();
    }

    @AfterAll
    static void summary() {
        System.out.println("[crash-at-every-write] " + RUNS.getAndSet(0) + " runs, " + CRASH_POINTS.getAndSet(0)
                + " crash points reached");
    }
}
