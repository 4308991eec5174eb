package dev.sagaflow.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.sagaflow.faults.FaultRun.Environment;
import dev.sagaflow.faults.FaultRun.NodeFault;
import dev.sagaflow.faults.FaultyStore.Fault;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The fault matrix: for every saga shape in {@link Shapes} and every store call its node makes (insert, update,
 * claim, renewal, release, registration, recorded reply, and every read), the call meets a fault the node lives
 * through: its acknowledgement is lost (it was done), it fails transiently or for good (it was not), it hangs until
 * its statement timeout, or the node stalls inside it past its lease while another node takes over; plus, per
 * shape, the faults of the node's surroundings: an executor that rejects tasks, a timer whose tasks fire late, a
 * peer whose clock runs more than a lease ahead, and a second process started with the same node id while the
 * first stalls. Every run must end as the shape allows and keep every {@link Invariants invariant}, and every
 * injected fault must have happened. (Crashes before and after every write are the crash-at-every-write suite's.)
 *
 * <p>The normal build gives each call one fault, in turn; {@code -Pexhaustive} tries every applicable fault at
 * every call. A store's test extends this class and implements {@link #emptyStore(Clock)}. Published in
 * saga-core's test-jar.
 */
public abstract class AbstractFaultMatrixTest {
    private static final Map<Fault, AtomicInteger> INJECTED = new EnumMap<>(Fault.class);
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** An empty store for one run, measuring leases on {@code storeClock}. */
    protected abstract SagaStore emptyStore(Clock storeClock);

    @TestFactory
    Stream<DynamicContainer> every_shape_ends_correctly_whatever_fault_any_of_its_store_calls_meets() {
        return Shapes.all().stream().map(shape -> {
            FaultRun.Result clean = run(shape, List.of(), Environment.NONE);
            List<String> calls = new FaultRun(shape, this::emptyStore, "matrix-" + shape.label())
                    .run(List.of(NodeFault.at(Integer.MAX_VALUE, Fault.TRANSIENT))).firstNodeCalls();
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(dynamicTest("no fault", () -> AbstractCrashAtEveryWriteTest.assertHolds(clean)));
            int rotation = 0;
            for (int k = 1; k <= calls.size(); k++) {
                String label = calls.get(k - 1);
                List<Fault> applicable = applicable(label);
                List<Fault> chosen = FaultSettings.exhaustive() ? applicable
                        : List.of(applicable.get(rotation++ % applicable.size()));
                for (Fault fault : chosen) {
                    NodeFault nodeFault = NodeFault.at(k, fault);
                    tests.add(dynamicTest(nodeFault + " [" + label + "]", () -> {
                        FaultRun.Result result = run(shape, List.of(nodeFault), Environment.NONE);
                        assertThat(result.faultsReached()).as("the fault happened").isEqualTo(1);
                        INJECTED.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
                        AbstractCrashAtEveryWriteTest.assertHolds(result);
                    }));
                }
            }
            return dynamicContainer(shape.label(), tests);
        });
    }

    @TestFactory
    Stream<DynamicContainer> every_shape_ends_correctly_whatever_its_surroundings_do() {
        return Shapes.all().stream().map(shape -> {
            List<String> calls = new FaultRun(shape, this::emptyStore, "matrix-" + shape.label())
                    .run(List.of(NodeFault.at(Integer.MAX_VALUE, Fault.TRANSIENT))).firstNodeCalls();
            int afterInsert = 1 + calls.indexOf(calls.stream().filter(c -> c.startsWith("insert")).findFirst()
                    .orElseThrow());
            List<DynamicTest> tests = new ArrayList<>();
            for (Environment environment : List.of(Environment.EXECUTOR_REJECTS, Environment.TIMER_LATE,
                    Environment.SKEWED_PEER)) {
                tests.add(dynamicTest(environment.name().toLowerCase(), () -> AbstractCrashAtEveryWriteTest.assertHolds(
                        run(shape, List.of(), environment))));
            }
            // A second process with the same node id starts while the first stalls in a call after the insert.
            for (int k = afterInsert + 1; k <= calls.size(); k += FaultSettings.exhaustive() ? 1 : 3) {
                NodeFault stall = NodeFault.at(k, Fault.PAUSE);
                String label = calls.get(k - 1);
                tests.add(dynamicTest("twin starts while node 1 stalls at call " + k + " [" + label + "]", () -> {
                    FaultRun.Result result = run(shape, List.of(stall), Environment.TWIN);
                    assertThat(result.faultsReached()).as("the stall happened").isEqualTo(1);
                    AbstractCrashAtEveryWriteTest.assertHolds(result);
                }));
            }
            return dynamicContainer(shape.label(), tests);
        });
    }

    /** The faults a call can meet: a read can only fail or hang (it changes nothing to lose the answer of). */
    private static List<Fault> applicable(String label) {
        boolean read = label.startsWith("read") || label.startsWith("query") || label.startsWith("count");
        return read ? List.of(Fault.TRANSIENT, Fault.HANG, Fault.PAUSE)
                : List.of(Fault.ACK_LOST, Fault.TRANSIENT, Fault.PERMANENT, Fault.HANG, Fault.PAUSE);
    }

    private FaultRun.Result run(SagaShape shape, List<NodeFault> faults, Environment environment) {
        RUNS.incrementAndGet();
        return new FaultRun(shape, this::emptyStore, "matrix-" + shape.label(), environment).run(faults);
    }

    @AfterAll
    static void summary() {
        System.out.println("[fault-matrix] " + RUNS.getAndSet(0) + " runs; faults injected: " + INJECTED);
        INJECTED.clear();
    }
}
