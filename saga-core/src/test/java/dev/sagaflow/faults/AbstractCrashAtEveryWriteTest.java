package dev.sagaflow.faults;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.sagaflow.faults.FaultRun.NodeFault;
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
            FaultRun.Result clean = run(shape, List.of());
            List<String> writes = clean.firstNodeCalls();
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(dynamicTest("no crash: " + writes.size() + " writes", () -> assertHolds(clean)));
            for (int k = 1; k <= writes.size(); k++) {
                for (boolean before : new boolean[] {true, false}) {
                    boolean both = bothRestarts() || FaultSettings.exhaustive();
                    for (boolean sameNode : both ? new boolean[] {true, false} : new boolean[] {k % 2 == 1}) {
                        NodeFault crash = NodeFault.crash(k, before, sameNode);
                        tests.add(dynamicTest(crash + " [" + writes.get(k - 1) + "]", () -> {
                            FaultRun.Result result = run(shape, List.of(crash));
                            CRASH_POINTS.incrementAndGet();
                            assertThat(result.faultsReached()).as("crash point reached").isEqualTo(1);
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
        // A recovering node's writes: its registration (1), the release of what its node id held (2), its claim (3),
        // then the saga's own (4 on). It dies just before or just after its claim, or after its first saga write.
        List<NodeFault> atItsClaim = List.of(NodeFault.crash(3, true, false), NodeFault.crash(3, false, true));
        NodeFault afterItsFirstSagaWrite = NodeFault.crash(4, false, false);
        return Shapes.all().stream().map(shape -> {
            List<String> writes = run(shape, List.of()).firstNodeCalls();
            int insert = 1 + writes.indexOf(writes.stream().filter(w -> w.startsWith("insert")).findFirst().orElseThrow());
            List<DynamicTest> tests = new ArrayList<>();
            for (int k = 1; k <= writes.size(); k++) {
                NodeFault first = NodeFault.crash(k, false, k % 2 == 0);
                List<NodeFault> seconds = new ArrayList<>(atItsClaim);
                if (k >= insert && k < writes.size()) {
                    // The saga is still live when node 2 comes, so node 2 writes for it.
                    seconds.add(afterItsFirstSagaWrite);
                }
                for (NodeFault then : seconds) {
                    tests.add(dynamicTest("node 1 " + first + "; node 2 " + then, () -> {
                        FaultRun.Result result = run(shape, List.of(first, then));
                        CRASH_POINTS.addAndGet(result.faultsReached());
                        assertThat(result.faultsReached()).as("both crash points reached").isEqualTo(2);
                        assertHolds(result);
                    }));
                }
            }
            return dynamicContainer(shape.label(), tests);
        });
    }

    private FaultRun.Result run(SagaShape shape, List<NodeFault> crashes) {
        RUNS.incrementAndGet();
        return new FaultRun(shape, this::emptyStore, "crash-" + shape.label()).run(crashes);
    }

    static void assertHolds(FaultRun.Result result) {
        assertThat(result.violations()).as("broken invariants; what happened:%n%s", result.report()).isEmpty();
    }

    @AfterAll
    static void summary() {
        System.out.println("[crash-at-every-write] " + RUNS.getAndSet(0) + " runs, " + CRASH_POINTS.getAndSet(0)
                + " crash points reached");
    }
}
